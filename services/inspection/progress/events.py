"""What quarterly progress reports publish through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.models import ProgressReportSubmission
from shared.events import add_event

PROGRESS_REPORT_SUBMITTED = "inspection.progress_report.submitted.v1"


async def publish_submitted(session: AsyncSession, s: ProgressReportSubmission) -> None:
    await add_event(
        session,
        type=PROGRESS_REPORT_SUBMITTED,
        subject=str(s.id),
        data={
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
        },
    )
