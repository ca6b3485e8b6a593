"""The monthly bulletin for the caller's area, as data; document.py renders it for download."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.bulletins import rules
from services.inspection.bulletins.repository import BulletinRepository
from services.inspection.bulletins.schemas import (
    BulletinFinding,
    BulletinInspection,
    BulletinOut,
    BulletinSummaryOut,
)
from services.inspection.findings import rules as finding_rules
from services.inspection.findings.schemas import record_out
from services.inspection.inspections.repository import InspectionRepository
from services.inspection.models import Finding
from shared.auth import Principal


def _finding(f: Finding) -> BulletinFinding:
    return BulletinFinding.model_validate(f, from_attributes=True)


async def monthly(*, session: AsyncSession, actor: Principal, year: int, month: int) -> BulletinOut:
    start, end = rules.month_bounds(year, month)
    prefix = actor.area_prefix
    repo = BulletinRepository(session)
    inspections = await InspectionRepository(session).in_month(actor.area_code, start, end)
    raised = await repo.findings_raised(prefix, start, end)
    verified = await repo.findings_verified(prefix, start, end)
    last_day = end - timedelta(days=1)
    # Late as of the month's last day; a report filed on time is not late (findings.rules).
    overdue = [
        f
        for f in await repo.unverified_due_before(prefix, end)
        if finding_rules.is_overdue(
            finding_rules.RectificationState(f.status, f.deadline, f.submitted_on), last_day
        )
    ]
    records = await repo.accountability(prefix, start, end)
    summary = rules.summarize(
        inspection_kinds=[i.kind for i in inspections],
        finding_severities=[f.severity for f in raised],
        verified=len(verified),
        overdue_open=len(overdue),
        accountability_kinds=[r.kind for r in records],
    )
    return BulletinOut(
        area_prefix=prefix,
        year=year,
        month=month,
        summary=BulletinSummaryOut(**summary.__dict__),
        inspections=[BulletinInspection.model_validate(i, from_attributes=True) for i in inspections],
        findings_raised=[_finding(f) for f in raised],
        rectifications_verified=[_finding(f) for f in verified],
        overdue_open=[_finding(f) for f in overdue],
        accountability=[record_out(r) for r in records],
    )
