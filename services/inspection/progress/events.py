"""What quarterly progress reports publish through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import ProgressReportSubmission
from shared.events.contracts import emit

PROGRESS_REPORT_SUBMITTED = "inspection.progress_report.submitted.v1"


async def publish_submitted(session: AsyncSession, s: ProgressReportSubmission) -> None:
    await emit(
        session,
        contracts.ProgressReportSubmitted.model_validate(
            {
                "submission_id": str(s.id),
                "area_code": s.area_code,
                "year": s.year,
                "quarter": s.quarter,
                "version": s.version,
                "supersedes_id": str(s.supersedes_id) if s.supersedes_id else None,
                "correction_reason": s.correction_reason,
                "submitted_on": s.submitted_on.isoformat(),
                "deadline": s.deadline.isoformat(),
                "late": s.late,
            }
        ),
        subject=str(s.id),
    )
