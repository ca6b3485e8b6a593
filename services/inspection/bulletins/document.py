"""The bulletin as a downloadable workbook (openpyxl): a summary sheet and one sheet per list."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from services.inspection.bulletins.schemas import BulletinFinding, BulletinOut

FINDING_COLUMNS = ("area_code", "category", "severity", "title", "responsible_unit", "deadline", "status")


def _sheet(wb: Workbook, title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append([str(v) if not isinstance(v, int | str) else v for v in row])


def _findings(items: list[BulletinFinding]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(f, c) for c in FINDING_COLUMNS) for f in items]


def render_xlsx(b: BulletinOut) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "summary"
    summary.append([f"Monthly inspection bulletin {b.year}-{b.month:02d}", f"area {b.area_prefix or 'all'}"])
    s = b.summary
    for label, value in (
        ("inspections", s.inspections),
        ("of which unannounced", s.unannounced),
        ("findings raised", s.findings_raised),
        ("rectifications verified", s.rectifications_verified),
        ("overdue at month end", s.overdue_open),
    ):
        summary.append([label, value])
    for severity, n in s.findings_by_severity.items():
        summary.append([f"findings {severity}", n])
    for kind, n in s.accountability_by_kind.items():
        summary.append([f"accountability {kind}", n])
    _sheet(
        wb,
        "inspections",
        ("kind", "title", "starts_on", "ends_on", "target_areas", "status"),
        [
            (i.kind, i.title, i.starts_on, i.ends_on, ", ".join(i.target_areas), i.status)
            for i in b.inspections
        ],
    )
    _sheet(wb, "findings raised", FINDING_COLUMNS, _findings(b.findings_raised))
    _sheet(wb, "rectified", FINDING_COLUMNS, _findings(b.rectifications_verified))
    _sheet(wb, "overdue", FINDING_COLUMNS, _findings(b.overdue_open))
    _sheet(
        wb,
        "accountability",
        ("issued_on", "kind", "subject", "area_code", "reason"),
        [(r.issued_on, r.kind, r.subject, r.area_code, r.reason) for r in b.accountability],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
