"""The periodic escalation: overdue rectification escalates on its own."""

from __future__ import annotations

from datetime import datetime

from services.inspection.findings import service
from shared.clock import clock
from shared.db import Database
from shared.runtime import PeriodicJob


async def escalate(db: Database, now: datetime, batch: int = 500) -> int:
    """Walk every late finding, one transaction per batch (so findings that have earned every
    step already cannot crowd out the ones still due)."""
    today, after, total = clock.date_of(now), None, 0
    while True:
        async with db.transaction() as session:
            created, after = await service.escalate_overdue(
                session=session, today=today, after=after, batch=batch
            )
        total += len(created)
        if after is None:
            return total


# Hourly is plenty for deadlines counted in days; the run is idempotent.
ESCALATION_JOB = PeriodicJob(name="escalate-overdue-findings", interval_s=3600, run=escalate)
