"""The periodic escalation: overdue rectification escalates on its own."""

from __future__ import annotations

from datetime import datetime

from services.inspection import clock
from services.inspection.findings import service
from shared.db import Database
from shared.runtime import PeriodicJob


async def escalate(db: Database, now: datetime) -> int:
    async with db.transaction() as session:
        return len(await service.escalate_overdue(session=session, today=clock.today(now)))


# Hourly is plenty for deadlines counted in days; the run is idempotent.
ESCALATION_JOB = PeriodicJob(name="escalate-overdue-findings", interval_s=3600, run=escalate)
