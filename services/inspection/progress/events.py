"""What quarterly progress reports publish through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import ProgressReportSubmission
from shared.events.contracts import emit

PROGRESS_REPORT_SUBMITTED = contracts.ProgressReportSubmitted.type


async def publish_submitted(session: AsyncSession, s: ProgressReportSubmission) -> None:
    payload = contracts.ProgressReportSubmitted.from_row(s, submission_id=s.id)
    await emit(session, payload, subject=str(s.id))
