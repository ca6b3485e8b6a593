"""The progress report as a downloadable workbook (openpyxl): one sheet per block of figures,
one row per child area and a TOTAL row, so the figures can be passed upward as they are."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from services.inspection.progress.rules import FLOW_FIELDS
from services.inspection.progress.schemas import ProgressReportOut, ProgressRowOut, StandingOut

STANDING_FIELDS = tuple(StandingOut.model_fields)
TOTAL = "TOTAL"


def _label(row: ProgressRowOut) -> str:
    return f"{row.name or ''} (own level)" if row.own_level else (row.name or "")


def _sheet(wb: Workbook, title: str, r: ProgressReportOut, values: Any) -> None:
    ws = wb.create_sheet(title)
    fields = values(r.total)
    ws.append(["area_code", "name", *fields])
    for row in r.rows:
        ws.append([row.area_code, _label(row), *values(row).values()])
    ws.append([TOTAL, r.total.name or "", *fields.values()])


def render_xlsx(r: ProgressReportOut) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "report"
    summary.append([f"Quarterly progress report {r.year} Q{r.quarter}", r.area_code, r.name or ""])
    for label, value in (
        ("quarter", f"{r.period.start} - {r.period.end}"),
        ("year to date", f"{r.year_to_date.start} - {r.year_to_date.end}"),
        ("submission deadline", r.deadline.isoformat()),
        ("inspections in the quarter", r.inspections_quarter),
        ("inspections in the year to date", r.inspections_year_to_date),
    ):
        summary.append([label, value])
    for u in r.unavailable:
        summary.append([f"not available: {u.field}", u.reason])
    _sheet(wb, "quarter", r, lambda row: {f: getattr(row.quarter, f) for f in FLOW_FIELDS})
    _sheet(wb, "year to date", r, lambda row: {f: getattr(row.year_to_date, f) for f in FLOW_FIELDS})
    _sheet(wb, "standing", r, lambda row: {f: getattr(row.standing, f) for f in STANDING_FIELDS})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
