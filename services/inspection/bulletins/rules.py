"""The monthly bulletin (seed 001 三(四): 一月一督查暗访、一月一情况通报): what the month's
inspections found, what was put right, and who was held to account, for one area subtree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from services.inspection.periods import year_part

__all__ = ["BulletinSummary", "month_bounds", "summarize"]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next (half-open)."""
    return year_part(year, month, per_year=12, name="month", name_zh="月份", what="bulletin month")


@dataclass(frozen=True)
class BulletinSummary:
    inspections: int
    unannounced: int
    findings_raised: int
    findings_by_severity: dict[str, int]
    rectifications_verified: int
    overdue_open: int
    accountability_by_kind: dict[str, int]


def summarize(
    *,
    inspection_kinds: list[str],
    finding_severities: list[str],
    verified: int,
    overdue_open: int,
    accountability_kinds: list[str],
) -> BulletinSummary:
    return BulletinSummary(
        inspections=len(inspection_kinds),
        unannounced=inspection_kinds.count("unannounced"),
        findings_raised=len(finding_severities),
        findings_by_severity=dict(sorted(Counter(finding_severities).items())),
        rectifications_verified=verified,
        overdue_open=overdue_open,
        accountability_by_kind=dict(sorted(Counter(accountability_kinds).items())),
    )
