"""The monthly bulletin for the caller's area, as data; document.py renders it for download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.bulletins import rules
from services.inspection.bulletins.repository import BulletinRepository
from services.inspection.findings import rules as finding_rules
from services.inspection.inspections.repository import InspectionRepository
from services.inspection.models import AccountabilityRecord, Finding, Inspection
from services.inspection.policies import presets
from shared.auth import Principal
from shared.clock import clock


@dataclass(frozen=True)
class Bulletin:
    """A month of an area's supervision: what ran, what was found, verified, late and held to account."""

    area_prefix: str
    year: int
    month: int
    summary: rules.BulletinSummary
    inspections: list[Inspection]
    findings_raised: list[Finding]
    rectifications_verified: list[Finding]
    overdue_open: list[Finding]
    accountability: list[AccountabilityRecord]


async def monthly(*, session: AsyncSession, actor: Principal, year: int, month: int) -> Bulletin:
    start, end = rules.month_bounds(year, month)
    prefix = actor.area_prefix
    repo = BulletinRepository(session)
    inspections = await InspectionRepository(session).in_month(actor.area_code, start, end)
    raised = await repo.findings_raised(prefix, start, end)
    verified = await repo.findings_verified(prefix, start, end)
    # Late as of the month's last day, or of today (China date) while the month still runs: a
    # deadline not yet come is not late; a report filed on time is not late (findings.rules).
    today = clock.today()
    as_of = min(end - timedelta(days=1), today)
    overdue = [
        f
        for f in await repo.unverified_due_before(prefix, end)
        if finding_rules.is_overdue(
            finding_rules.RectificationState(f.status, f.deadline, f.submitted_on), as_of
        )
    ]
    records = await repo.accountability(prefix, start, end)
    name = await repo.area_name(actor.area_code) if prefix else None
    where = "全部地区" if not prefix else f"{name}（{actor.area_code}）" if name else f"地区{actor.area_code}"
    summary = rules.summarize(
        inspection_kinds=[i.kind for i in inspections],
        finding_severities=[f.severity for f in raised],
        verified=len(verified),
        overdue_open=len(overdue),
        accountability_kinds=[r.kind for r in records],
        year=year,
        month=month,
        where=where,
        unannounced_required=presets.UNANNOUNCED_INSPECTIONS_PER_MONTH,
        month_over=today >= end,
    )
    return Bulletin(prefix, year, month, summary, inspections, raised, verified, overdue, records)
