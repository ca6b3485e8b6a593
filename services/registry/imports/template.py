"""The downloadable template of each import kind: header row, one example row (a synthetic person
with a valid GB 11643 check digit) and the allowed values as drop-downs."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from services.registry.imports import rules
from services.registry.imports.kinds import ImportKind
from services.registry.vocabulary import BATCH_LABELS, LabourCapacity, PovertyCause, Relation
from shared.resident_id import make
from shared.sheet_import import template_xlsx

EXAMPLE_VILLAGE = "440783101201"


def registration_template(today: date) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "建档立卡花名册"
    lists = book.create_sheet("可选值")
    ws.append(list(rules.HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    example_id = make("440783", date(1968, 3, 9), 21, sex="male")
    ws.append(
        [
            "4407831012010001",
            EXAMPLE_VILLAGE,
            "王示例",
            example_id,
            Relation.HEAD.label,
            LabourCapacity.FULL.label,
            PovertyCause.ILLNESS.label,
            BATCH_LABELS["production_employment"],
            str(today.year),
            today.isoformat(),
        ]
    )
    for i, header in enumerate(rules.HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, 2 * len(header) + 4)
    ws.column_dimensions["D"].width = 22
    ws.freeze_panes = "A2"
    choices = {
        "与户主关系": [m.label for m in Relation],
        "劳动能力": [m.label for m in LabourCapacity],
        "致贫原因": [m.label for m in PovertyCause],
        "帮扶批次": list(BATCH_LABELS.values()),
    }
    for n, (header, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=header)
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=n, value=value)
        column = get_column_letter(rules.HEADERS.index(header) + 1)
        dv = DataValidation(
            type="list",
            formula1=f"='可选值'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=header in ("与户主关系", "劳动能力"),
            errorTitle="不在可选值中",
            error=f"请从下拉列表中选择{header}",
        )
        dv.add(f"{column}2:{column}100000")
        ws.add_data_validation(dv)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
