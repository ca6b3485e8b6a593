"""The hourly coverage check over a county with tens of thousands of new gaps in one run.

The check used to take one advisory lock per gap it opened (for the gap's audit chain), all held
until the commit: at 50,000 households PostgreSQL ran out of lock table (``out of shared
memory``) and the check recorded nothing. 25,000 gaps are more locks than a test server's table
holds (max_locks_per_transaction 64 x 300 connections); the check now writes them in bounded
batches, two statements per thousand gaps, under its own single lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from services.pairing.jobs import coverage_check
from shared import audit
from shared.tables import audit_log, outbox
from tests.pairing.factories import V1, V2, household

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
N = 25_000
GAP = "pairing.coverage.gap_detected.v1"
NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)


async def _count(app: FastAPI, stmt) -> int:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        return int((await s.execute(stmt)).scalar_one())


async def test_a_check_opens_and_closes_tens_of_thousands_of_gaps_each_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    model = await household(app, V1)  # one through the consumer, the rest copied from it in SQL
    async with app.state.db.transaction() as s:
        await s.execute(
            text(
                "INSERT INTO household_ref (id, household_number, area_code, status, member_count,"
                " head_name_masked, registered_on, policies_kept_until, updated_at)"
                " SELECT gen_random_uuid(), 'HH-' || n, CASE WHEN n % 2 = 0 THEN :v1 ELSE :v2 END,"
                " status, member_count, head_name_masked, registered_on, policies_kept_until, now()"
                " FROM household_ref, generate_series(2, :n) AS n WHERE id = :model"
            ),
            {"v1": V1, "v2": V2, "n": N, "model": model},
        )

    await coverage_check(app.state.db, NOW)
    without_cadre = outbox.c.subject.like("pairing:household_without_cadre:%")
    events = select(func.count()).select_from(outbox).where(outbox.c.type == GAP, without_cadre)
    assert await _count(app, events) == N  # one event per household without a cadre
    opened = select(func.count()).select_from(audit_log).where(audit_log.c.action == "coverage.gap_opened")
    assert await _count(app, opened) >= N

    await coverage_check(app.state.db, NOW)  # nothing new: no event, no audit row
    assert await _count(app, events) == N
    assert await _count(app, opened) >= N

    async with app.state.db.transaction() as s:  # the households leave the projection
        await s.execute(text("DELETE FROM household_ref"))
    await coverage_check(app.state.db, NOW)
    closed = select(func.count()).select_from(audit_log).where(audit_log.c.action == "coverage.gap_closed")
    assert await _count(app, closed) == N
    open_gaps = text(
        "SELECT count(*) FROM coverage_gap WHERE kind = 'household_without_cadre' AND closed_at IS NULL"
    )
    assert await _count(app, open_gaps) == 0  # type: ignore[arg-type]

    async with app.state.db.transaction() as s:  # every gap's trail: opened, then closed, chained
        assert await audit.verify_chain(s) == (True, None)
