"""The monthly bulletin (seed 001 三(四): 一月一督查暗访、一月一情况通报): what the month's
inspections found, what was put right, and who was held to account, for one area subtree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from services.inspection.periods import year_part

__all__ = ["BulletinSummary", "month_bounds", "summarize", "unannounced_gap"]


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
    unannounced_missing: bool
    gaps: list[str]
    area: str  # the area the bulletin covers, in words: 岷县（620521000000）, 全部地区


def unannounced_gap(*, year: int, month: int, where: str, unannounced: int, required: int) -> str | None:
    """Seed 001 三(四) 一月一督查暗访: a month with fewer unannounced inspections than required is
    named as a gap, in Chinese; None when the month had enough."""
    if unannounced >= required:
        return None
    if required == 1:
        return f"{year}年{month}月{where}未开展暗访督查（一月一督查暗访）"
    return f"{year}年{month}月{where}暗访督查{unannounced}次，少于每月{required}次（一月一督查暗访）"


def summarize(
    *,
    inspection_kinds: list[str],
    finding_severities: list[str],
    verified: int,
    overdue_open: int,
    accountability_kinds: list[str],
    year: int,
    month: int,
    where: str,
    unannounced_required: int,
    month_over: bool,
) -> BulletinSummary:
    """The month's figures; ``where`` names the area the bulletin covers (in Chinese) for its gaps.
    一月一督查暗访 asks for the month as a whole: while it runs (``month_over`` False, China date) an
    unannounced inspection may still come, so too few so far is no gap yet."""
    unannounced = inspection_kinds.count("unannounced")
    gap = (
        unannounced_gap(
            year=year, month=month, where=where, unannounced=unannounced, required=unannounced_required
        )
        if month_over
        else None
    )
    return BulletinSummary(
        inspections=len(inspection_kinds),
        unannounced=unannounced,
        findings_raised=len(finding_severities),
        findings_by_severity=dict(sorted(Counter(finding_severities).items())),
        rectifications_verified=verified,
        overdue_open=overdue_open,
        accountability_by_kind=dict(sorted(Counter(accountability_kinds).items())),
        unannounced_missing=gap is not None,
        gaps=[gap] if gap else [],
        area=where,
    )
