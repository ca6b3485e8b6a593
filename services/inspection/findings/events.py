"""What findings publish through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import AccountabilityRecord, Finding
from shared.events.contracts import emit

FINDING_RAISED = "inspection.finding.raised.v1"
FINDING_RECTIFIED = "inspection.finding.rectified.v1"
ACCOUNTABILITY_RECORDED = "inspection.accountability.recorded.v1"


async def publish_raised(session: AsyncSession, finding: Finding) -> None:
    await emit(
        session,
        contracts.FindingRaised.model_validate(
            {
                "finding_id": str(finding.id),
                "area_code": finding.area_code,
                "category": finding.category,
                "severity": finding.severity,
                "deadline": finding.deadline.isoformat(),
                "source_signal": finding.source_key,
            }
        ),
        subject=str(finding.id),
    )


async def publish_rectified(session: AsyncSession, finding: Finding) -> None:
    await emit(
        session,
        contracts.FindingRectified.model_validate(
            {"finding_id": str(finding.id), "area_code": finding.area_code}
        ),
        subject=str(finding.id),
    )


async def publish_accountability(session: AsyncSession, record: AccountabilityRecord) -> None:
    await emit(
        session,
        contracts.AccountabilityRecorded.model_validate(
            {
                "record_id": str(record.id),
                "area_code": record.area_code,
                "kind": record.kind,
                "subject": record.subject,
            }
        ),
        subject=str(record.id),
    )
