"""The monthly bulletin (督查通报) as a printable document: the month's figures with bar charts,
then the lists — every code word replaced by its Chinese label (the same words as the workbook)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from services.inspection.bulletins.schemas import BulletinFinding, BulletinOut
from services.inspection.vocabulary import (
    ACCOUNTABILITY_KINDS,
    FINDING_CATEGORIES,
    FINDING_STATUSES,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    SEVERITIES,
)
from shared.printable import bars, environment

__all__ = ["bulletin_document"]

_TEMPLATES = environment(Path(__file__).with_name("templates"))


def _finding(f: BulletinFinding) -> dict[str, Any]:
    return {
        "area_code": f.area_code,
        "category": FINDING_CATEGORIES.get(f.category, f.category),
        "severity": SEVERITIES.get(f.severity, f.severity),
        "title": f.title,
        "responsible_unit": f.responsible_unit,
        "deadline": f.deadline.isoformat(),
        "status": FINDING_STATUSES.get(f.status, f.status),
    }


def bulletin_document(b: BulletinOut, *, printed_on: date) -> str:
    s = b.summary
    return _TEMPLATES.get_template("bulletin.html.j2").render(
        b=b,
        printed_on=printed_on.isoformat(),
        area=b.area_prefix or "全部",
        overview=bars(
            [
                ("督查次数", s.inspections),
                ("其中暗访", s.unannounced),
                ("发现问题", s.findings_raised),
                ("整改验收", s.rectifications_verified),
                ("月末逾期未整改", s.overdue_open),
            ]
        ),
        by_severity=bars([(SEVERITIES.get(k, k), n) for k, n in s.findings_by_severity.items()]),
        by_accountability=bars(
            [(ACCOUNTABILITY_KINDS.get(k, k), n) for k, n in s.accountability_by_kind.items()]
        ),
        inspections=[
            {
                "kind": INSPECTION_KINDS.get(i.kind, i.kind),
                "title": i.title,
                "starts_on": i.starts_on.isoformat(),
                "ends_on": i.ends_on.isoformat(),
                "areas": "、".join(i.target_areas),
                "status": INSPECTION_STATUSES.get(i.status, i.status),
            }
            for i in b.inspections
        ],
        lists=[
            ("发现问题", [_finding(f) for f in b.findings_raised]),
            ("整改验收", [_finding(f) for f in b.rectifications_verified]),
            ("逾期未整改", [_finding(f) for f in b.overdue_open]),
        ],
        accountability=[
            {
                "issued_on": r.issued_on.isoformat(),
                "kind": ACCOUNTABILITY_KINDS.get(r.kind, r.kind),
                "subject": r.subject,
                "area_code": r.area_code,
                "reason": r.reason,
            }
            for r in b.accountability
        ],
    )
