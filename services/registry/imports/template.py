"""The downloadable template of each import kind: header row, one example row (a synthetic person
with a valid GB 11643 check digit) and the allowed values as drop-downs."""

from __future__ import annotations

from datetime import date

from services.registry.imports import rules
from services.registry.imports.kinds import EXAMPLE_HOUSEHOLD, EXAMPLE_VILLAGE, ImportKind
from services.registry.vocabulary import BATCH_LABELS, LabourCapacity, PovertyCause, Relation
from shared.resident_id import make
from shared.sheet_import import template_xlsx


def registration_template(today: date) -> bytes:
    example_id = make("440783", date(1968, 3, 9), 21, sex="male")
    example = [
        EXAMPLE_HOUSEHOLD,
        EXAMPLE_VILLAGE,
        "王示例",
        example_id,
        Relation.HEAD.label,
        LabourCapacity.FULL.label,
        PovertyCause.ILLNESS.label,
        BATCH_LABELS["production_employment"],
        str(today.year),
        today.isoformat(),
        "是",  # 低保户
        "否",  # 五保户
        "是",  # 劳动意愿
    ]
    choices = {
        "与户主关系": [m.label for m in Relation],
        "劳动能力": [m.label for m in LabourCapacity],
        "致贫原因": [m.label for m in PovertyCause],
        "帮扶批次": list(BATCH_LABELS.values()),
        **dict.fromkeys(("低保户", "五保户", "劳动意愿"), list(rules.YES_NO)),
    }
    # 致贫原因 and 帮扶批次 may list several values in one cell
    lenient, wide = ("致贫原因", "帮扶批次"), ["身份证号"]
    return template_xlsx("建档立卡花名册", rules.HEADERS, example, choices, wide=wide, lenient=lenient)


def kind_template(kind: ImportKind, today: date) -> bytes:
    """The template of an import kind of kinds.py: header, an example row, drop-downs where the
    column has a fixed list of values."""
    wide = [h for h in kind.headers if "身份证" in h]
    return template_xlsx(
        kind.title_zh, kind.headers, kind.example(today), _kind_choices(kind, today), wide=wide
    )


def _kind_choices(kind: ImportKind, today: date) -> dict[str, list[str]]:
    """年度 as a drop-down of the years the rules accept, newest first; the kind's own lists."""
    out = dict(kind.choices)
    if "年度" in kind.headers:
        first = 2013 if kind.code == "village_incomes" else 2014
        out["年度"] = [str(y) for y in range(today.year, first - 1, -1)]
    return out
