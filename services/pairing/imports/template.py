"""The downloadable template of the 结对帮扶名单 import: header, an example row (a synthetic cadre),
and the allowed values of the columns with a fixed list as drop-downs."""

from __future__ import annotations

from datetime import date

from services.pairing.imports import rules
from shared.sheet_import import template_xlsx

# a place of the demo data (步栏村, Chishui town, Kaiping; registry areas/reference.py)
EXAMPLE_VILLAGE = "440783105201"
EXAMPLE_HOUSEHOLD = EXAMPLE_VILLAGE + "0001"


def pairing_template(today: date) -> bytes:
    choices = {
        "单位层级": list(rules.LEVELS.values()),
        "帮扶力量类别": [k.label for k in rules.HELPER_KINDS],
        "帮扶类型": [k.label for k in rules.PAIRING_KINDS],
    }
    example = rules.example(today, EXAMPLE_VILLAGE, EXAMPLE_HOUSEHOLD)
    return template_xlsx("结对帮扶名单", rules.HEADERS, example, choices)
