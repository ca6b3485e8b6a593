"""Roll-ups stay interactive at scale (make test-slow): 200,000 households in one county.

Loads the households with the bulk import, then times the county roll-up (maintained counters)
against a full GROUP BY scan of the same numbers, and one household change end to end.
REGISTRY_SCALE_N overrides the size.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.registry.households.bulk import import_registered
from services.registry.households.schemas import HouseholdImportIn, MemberIn
from services.registry.models import Household
from services.registry.settings import RegistrySettings
from shared.resident_id import make
from tests.registry.integration.helpers import registry_app
from tests.support import auth, service_client

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
N = int(os.environ.get("REGISTRY_SCALE_N", "200000"))
COUNTY = "620521000000"
TOWNSHIPS = [f"620521{t:03d}000" for t in range(101, 111)]
VILLAGES = [f"{t[:9]}{v:03d}" for t in TOWNSHIPS for v in range(201, 221)]
CHUNK = 5_000


def chunk(rng: random.Random, start: int, size: int) -> list[HouseholdImportIn]:
    rows = []
    for i in range(start, start + size):
        n = rng.randint(1, 5)
        members = [
            MemberIn(
                name=f"户{i}",
                relation="head" if k == 0 else "child",
                labour_capacity="full",
                resident_id=make(
                    "620521",
                    date(1930, 1, 1) + timedelta(days=(i * 5 + k) % 30_000),
                    ((i * 5 + k) // 30_000) * 2,
                    sex="male",
                ),
            )
            for k in range(n)
        ]
        rows.append(
            HouseholdImportIn(
                area_code=rng.choice(VILLAGES),
                year=2017,
                members=members,
                poverty_causes=[rng.choice(["illness", "disability", "schooling"])],
                batches=[rng.choice(["industry", "education", "health"])],
                registered_on=date(2017, 6, 1),
            )
        )
    return rows


async def test_county_rollup_over_a_large_registry_reads_counters_not_households(make_db):
    app = registry_app(make_db("registry"))
    areas = (
        [
            {"code": "620000000000", "name": "甘肃省"},
            {"code": "620500000000", "name": "天水市"},
            {"code": COUNTY, "name": "县"},
        ]
        + [{"code": t, "name": t, "synthetic_code": True} for t in TOWNSHIPS]
        + [{"code": v, "name": v, "synthetic_code": True, "rural_population": 5_000} for v in VILLAGES]
    )
    rng = random.Random(1)
    cipher = RegistrySettings().pii_cipher()
    async with service_client(app) as c:
        assert (
            await c.post(
                "/registry/v1/areas", json={"areas": areas}, headers=auth("registrar", "620000000000")
            )
        ).status_code == 200
        started = time.perf_counter()
        for start in range(0, N, CHUNK):
            async with app.state.db.transaction() as s:
                await import_registered(
                    session=s,
                    actor="scale",
                    rows=chunk(rng, start, min(CHUNK, N - start)),
                    cipher=cipher,
                    today=date(2018, 1, 1),
                    source_roll="synthetic 2017 roll",
                    reason="load test",
                )
        load_s = time.perf_counter() - started

        reader = auth("auditor", COUNTY)
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            r = await c.get(f"/registry/v1/rollups/{COUNTY}?year=2018", headers=reader)
            timings.append((time.perf_counter() - t0) * 1000)
        county = r.json()
        assert county["by_status"]["registered"]["households"] == N

        async with app.state.db.transaction() as s:
            t0 = time.perf_counter()
            scan = (
                await s.execute(
                    select(func.count(), func.sum(Household.member_count)).where(
                        Household.area_code.startswith("620521"), Household.status == "registered"
                    )
                )
            ).one()
            scan_ms = (time.perf_counter() - t0) * 1000
        assert (scan[0], scan[1]) == (N, county["poor_persons"])

        hid = (await c.get("/registry/v1/households", params={"limit": 1}, headers=reader)).json()["items"][
            0
        ]["id"]
        village = (await c.get(f"/registry/v1/households/{hid}", headers=reader)).json()["area_code"]
        t0 = time.perf_counter()
        r = await c.post(
            f"/registry/v1/households/{hid}/removal",
            json={"reason": "scale test"},
            headers=auth("approver", village),
        )
        change_ms = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200
    p50 = statistics.median(timings)
    print(
        f"\n{N:,} households loaded in {load_s:.0f}s; county roll-up p50 {p50:.1f} ms, "
        f"max {max(timings):.1f} ms; the same total by full scan {scan_ms:.0f} ms; "
        f"one removal incl. counters {change_ms:.0f} ms"
    )
    assert p50 < 250
