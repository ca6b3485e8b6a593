"""Periodic work of the pairing service (run in the app process or by `jingzhun worker pairing`)."""

from __future__ import annotations

from datetime import datetime

from services.pairing.coverage import service as coverage_service
from services.pairing.needs import service as need_service
from shared.clock import clock
from shared.db import Database
from shared.runtime import PeriodicJob


async def coverage_check(db: Database, now: datetime) -> coverage_service.Check:
    """End pairings whose policy period is over (a transaction per thousand households, so the
    locks and rows held stay bounded however many exits end), then record every area's gaps (each
    once; the check writes them in bounded batches under one lock)."""
    today, after = clock.date_of(now), None  # the office's date (China time), not UTC's
    while True:
        async with db.transaction() as session:
            _, after = await need_service.close_expired_exits(session, today=today, after=after)
        if after is None:
            break
    async with db.transaction() as session:
        return await coverage_service.check(session, coverage_service.CHECKER, prefix="", today=today)


JOBS = [PeriodicJob("pairing.coverage_check", 3600, coverage_check)]
