"""What findings publish through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.models import AccountabilityRecord, Finding
from shared.events import add_event

FINDING_RAISED = "inspection.finding.raised.v1"
FINDING_RECTIFIED = "inspection.finding.rectified.v1"
ACCOUNTABILITY_RECORDED = "inspection.accountability.recorded.v1"


async def publish_raised(session: AsyncSession, finding: Finding) -> None:
    await add_event(
        session,
        type=FINDING_RAISED,
        subject=str(finding.id),
        data={
            "finding_id": str(finding.id),
            "area_code": finding.area_code,
            "category": finding.category,
            "severity": finding.severity,
            "deadline": finding.deadline.isoformat(),
            "source_signal": finding.source_key,
        },
    )


async def publish_rectified(session: AsyncSession, finding: Finding) -> None:
    await add_event(
        session,
        type=FINDING_RECTIFIED,
        subject=str(finding.id),
        data={"finding_id": str(finding.id), "area_code": finding.area_code},
    )


async def publish_accountability(session: AsyncSession, record: AccountabilityRecord) -> None:
    await add_event(
        session,
        type=ACCOUNTABILITY_RECORDED,
        subject=str(record.id),
        data={
            "record_id": str(record.id),
            "area_code": record.area_code,
            "kind": record.kind,
            "subject": record.subject,
        },
    )
