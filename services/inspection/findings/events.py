"""What findings publish through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import AccountabilityRecord, Finding
from shared.events.contracts import emit

FINDING_RAISED = contracts.FindingRaised.type
FINDING_RECTIFIED = contracts.FindingRectified.type
ACCOUNTABILITY_RECORDED = contracts.AccountabilityRecorded.type


async def publish_raised(session: AsyncSession, finding: Finding) -> None:
    payload = contracts.FindingRaised.from_row(
        finding, finding_id=finding.id, source_signal=finding.source_key
    )
    await emit(session, payload, subject=str(finding.id))


async def publish_rectified(session: AsyncSession, finding: Finding) -> None:
    payload = contracts.FindingRectified.from_row(finding, finding_id=finding.id)
    await emit(session, payload, subject=str(finding.id))


async def publish_accountability(session: AsyncSession, record: AccountabilityRecord) -> None:
    payload = contracts.AccountabilityRecorded.from_row(record, record_id=record.id)
    await emit(session, payload, subject=str(record.id))
