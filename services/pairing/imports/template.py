"""The downloadable template of the 结对帮扶名单 import: header, an example row (a synthetic cadre),
and the allowed values of the columns with a fixed list as drop-downs."""

from __future__ import annotations

from datetime import date

from services.pairing.imports import rules
from shared.sheet_import import template_xlsx

EXAMPLE_HOUSEHOLD = "4407831012010001"


def pairing_template(today: date) -> bytes:
    choices = {
        "单位层级": list(rules.LEVELS.values()),
        "帮扶力量类别": [k.label for k in rules.HELPER_KINDS],
        "帮扶类型": [k.label for k in rules.PAIRING_KINDS],
    }
    return template_xlsx("结对帮扶名单", rules.HEADERS, rules.example(today, EXAMPLE_HOUSEHOLD), choices)
