"""The monthly bulletin (督查通报) as a printable document: the month's figures with bar charts,
then the lists — every code word replaced by its Chinese label (the same words as the workbook)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from services.inspection.bulletins.document import (
    ACCOUNTABILITY_COLUMNS,
    FINDING_COLUMNS,
    INSPECTION_COLUMNS,
    Words,
    accountability_cells,
    finding_cells,
    inspection_cells,
    overview,
)
from services.inspection.bulletins.schemas import BulletinOut
from services.inspection.vocabulary import ACCOUNTABILITY_KINDS, SEVERITIES
from shared.printable import bars, environment
from shared.spreadsheets import Column

__all__ = ["bulletin_document"]

_TEMPLATES = environment(Path(__file__).with_name("templates"))


_SAY = Words("zh")


def _row(columns: tuple[Column, ...], cells: list[Any]) -> dict[str, Any]:
    """A list's row for the template, keyed like the workbook's columns (dates print as ISO)."""
    return dict(zip((c.code for c in columns), cells, strict=True))


def bulletin_document(b: BulletinOut, *, printed_on: date) -> str:
    s = b.summary
    return _TEMPLATES.get_template("bulletin.html.j2").render(
        b=b,
        printed_on=printed_on.isoformat(),
        area=s.area,
        overview=bars(overview(s, _SAY)),
        by_severity=bars([(SEVERITIES.get(k, k), n) for k, n in s.findings_by_severity.items()]),
        by_accountability=bars(
            [(ACCOUNTABILITY_KINDS.get(k, k), n) for k, n in s.accountability_by_kind.items()]
        ),
        inspections=[_row(INSPECTION_COLUMNS, inspection_cells(i, _SAY)) for i in b.inspections],
        lists=[
            (heading, [_row(FINDING_COLUMNS, finding_cells(f, _SAY)) for f in items])
            for heading, items in (
                ("发现问题", b.findings_raised),
                ("整改验收", b.rectifications_verified),
                ("逾期未整改", b.overdue_open),
            )
        ],
        accountability=[
            _row(ACCOUNTABILITY_COLUMNS, accountability_cells(r, _SAY)) for r in b.accountability
        ],
    )
