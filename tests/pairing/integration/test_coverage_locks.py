"""A coverage check holds a bounded number of locks, whatever the number of gaps it opens.

It used to take one advisory lock per new gap (for the gap's audit chain), all held until the
commit: a province's first check ran PostgreSQL out of lock table (``out of shared memory``).
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.pairing.coverage import service as coverage_service
from tests.pairing.factories import TODAY, V1, household

pytestmark = pytest.mark.asyncio
N = 2_500


async def test_a_check_opening_thousands_of_gaps_holds_a_handful_of_locks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    model = await household(app, V1)
    async with app.state.db.transaction() as s:
        await s.execute(
            text(
                "INSERT INTO household_ref (id, household_number, area_code, status, member_count,"
                " head_name_masked, registered_on, policies_kept_until, updated_at)"
                " SELECT gen_random_uuid(), 'HH-' || n, area_code, status, member_count,"
                " head_name_masked, registered_on, policies_kept_until, now()"
                " FROM household_ref, generate_series(2, :n) AS n WHERE id = :model"
            ),
            {"n": N, "model": model},
        )
    async with app.state.db.transaction() as s:
        result = await coverage_service.check(s, coverage_service.CHECKER, prefix="", today=TODAY)
        held = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        advisory_locks = int((await s.execute(held)).scalar_one())
    assert result.opened >= N  # every household without a cadre (and the village's own gaps)
    assert advisory_locks <= 2, f"{advisory_locks} advisory locks held until the commit"
