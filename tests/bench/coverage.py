"""Benchmark: pairing coverage over 1,000,000 households, on real PostgreSQL.

    .venv/bin/python -m tests.bench coverage --households 1000000

Loads a synthetic province by SQL: 10 cities x 10 counties x 10 townships x 10 villages
(100 counties, 1,000 townships, 10,000 villages, a third of them poor) with N household
projections spread evenly over the villages, 18 cadres per village (about 5.3 households each, so
some are over the cap of 5), a work team and a first secretary for most poor villages, an active
cadre pairing for 19 households in 20 and two visits each within the last 50 days (so some are
overdue), and a policy override (visit interval 15 days) on one county of the measured city.
Then times, through the app (in-process ASGI, token checks included):

- ``GET /coverage?area_code=`` for one village, one township, one county, one city (p50/p95);
- ``POST /coverage/checks`` by one county's office: the first check (opens every gap, one event
  each) and the next ones (nothing changed: the steady state of the hourly job);

and, in a separate untimed call under ``tracemalloc``, the peak Python memory of the city read
and of a county check, and in another the MB the city and province reads wrote to PostgreSQL
temporary files. ``household_ref.last_visit_on`` needs no load step: the visit insert triggers
(revision c4d2f8a61e07) keep it as the visits are loaded.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
from sqlalchemy import text

from services.pairing.app import create_app
from services.pairing.settings import PairingSettings
from shared.clock import clock
from tests.bench.stack import service_database
from tests.support import auth, service_client, settings_for

TODAY = date(2026, 11, 22)
PROVINCE = "44"
CITY = "4401"  # cities 4401..4410; counties 01..10, townships 001..010, villages 001..010
COUNTY = "440102"
TOWNSHIP = "440102003"
VILLAGE = "440102003004"
OVERRIDDEN_COUNTY = "440105"  # inside the measured city: visit interval 15 days
HOUSEHOLDS_PER_CHUNK = 100_000

# The village of household g: 100 households per village when N = 1,000,000.
_VILLAGE_OF = """
    '44' || lpad((1 + v / 1000)::text, 2, '0') || lpad((1 + (v / 100) % 10)::text, 2, '0')
         || lpad((1 + (v / 10) % 10)::text, 3, '0') || lpad((1 + v % 10)::text, 3, '0')
"""

AREAS_SQL = f"""
INSERT INTO area_ref (code, name, level, parent_code, poor_village)
SELECT {_VILLAGE_OF}, '村' || v, 'village', left({_VILLAGE_OF}, 9) || '000', v % 3 = 0
FROM generate_series(0, 9999) AS v
"""

CADRES_SQL = f"""
INSERT INTO helper (id, kind, name, area_code, active)
SELECT md5('cadre-' || v || '-' || k)::uuid, 'cadre', '干部' || v || '-' || k, {_VILLAGE_OF}, true
FROM generate_series(0, 9999) AS v, generate_series(0, 17) AS k
"""

# Poor villages: a work team for 9 in 10, a first secretary for 4 in 5.
TEAMS_SQL = f"""
INSERT INTO helper (id, kind, name, area_code, active)
SELECT md5(kind || '-' || v)::uuid, kind, kind || v, {_VILLAGE_OF}, true
FROM generate_series(0, 9999) AS v, unnest(ARRAY['work_team', 'first_secretary']) AS kind
WHERE v % 3 = 0;
INSERT INTO pairing (id, kind, helper_id, target_type, target_id, area_code, started_on)
SELECT md5('p-' || kind || '-' || v)::uuid, kind || '_village', md5(kind || '-' || v)::uuid, 'village',
       {_VILLAGE_OF}, {_VILLAGE_OF}, DATE '2026-01-01'
FROM generate_series(0, 9999) AS v, unnest(ARRAY['work_team', 'first_secretary']) AS kind
WHERE v % 3 = 0 AND ((kind = 'work_team' AND v % 10 <> 3) OR (kind = 'first_secretary' AND v % 5 <> 3))
"""

# g -> village v = g * 10000 / N; statuses: 80 % registered, 5 % exit requested, 10 % exited
# (half of them past their policy period), 5 % candidates (not on the roll).
HOUSEHOLDS_SQL = f"""
INSERT INTO household_ref (id, household_number, area_code, status, member_count, registered_on,
                           policies_kept_until)
SELECT md5('hh-' || g)::uuid, 'H' || g, {_VILLAGE_OF},
       CASE WHEN g % 20 < 16 THEN 'registered' WHEN g % 20 = 16 THEN 'exit_requested'
            WHEN g % 20 < 19 THEN 'exited' ELSE 'candidate' END,
       1 + g % 5, DATE '2016-03-01',
       CASE WHEN g % 20 = 17 THEN DATE '2025-12-31' WHEN g % 20 = 18 THEN DATE '2028-12-31' END
FROM (SELECT g, (g * 10000 / CAST(:n AS bigint))::int AS v
      FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g) AS s
"""

# 19 households in 20 have a cadre (started 2026-06-01), each visited twice in the last 50 days.
PAIRINGS_SQL = f"""
INSERT INTO pairing (id, kind, helper_id, target_type, target_id, area_code, started_on)
SELECT md5('p-hh-' || g)::uuid, 'cadre_household', md5('cadre-' || v || '-' || (g % 18))::uuid,
       'household', md5('hh-' || g)::uuid::text, {_VILLAGE_OF}, DATE '2026-06-01'
FROM (SELECT g, (g * 10000 / CAST(:n AS bigint))::int AS v
      FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g) AS s
WHERE g % 20 <> 7
"""

VISITS_SQL = f"""
INSERT INTO visit (id, household_id, helper_id, area_code, visited_on, kind, fingerprint, recorded_by)
SELECT md5('visit-' || g || '-' || i)::uuid, md5('hh-' || g)::uuid,
       md5('cadre-' || v || '-' || (g % 18))::uuid, {_VILLAGE_OF},
       CAST(:today AS date) - ((g * 7 + i * 13) % 50)::int, 'home_visit', md5(g || '-' || i), 'bench'
FROM (SELECT g, (g * 10000 / CAST(:n AS bigint))::int AS v
      FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g) AS s,
     generate_series(0, 1) AS i
WHERE g % 20 <> 7
"""

OVERRIDE_SQL = """
INSERT INTO pairing_policy (id, area_prefix, valid_from, visit_interval_days, source, recorded_by, version)
VALUES (gen_random_uuid(), :prefix, DATE '2026-01-01', 15, 'bench', 'bench', 1)
"""


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)  # p95 by nearest rank: with few runs, the slowest
    return statistics.median(ordered) * 1000, ordered[math.ceil(len(ordered) * 0.95) - 1] * 1000


async def _timed(call: Callable[[], Awaitable[httpx.Response]], runs: int) -> tuple[list[float], Any]:
    """Latencies of ``runs`` calls and the last answer; stops at the first failure (its status)."""
    samples: list[float] = []
    body: Any = None
    for _ in range(runs):
        t = time.perf_counter()
        r = await call()
        samples.append(time.perf_counter() - t)
        if r.status_code != 200:
            return samples, r.status_code
        body = r.json()
    return samples, body


async def _peak_mb(call: Callable[[], Awaitable[httpx.Response]]) -> float:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


async def _temp_mb(db: Any, call: Callable[[], Awaitable[httpx.Response]]) -> float:
    """What one call wrote to PostgreSQL temporary files (a sort or hash that spilled), in MB."""
    stmt = text("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")

    async def temp_bytes() -> int:
        async with db.transaction() as s:
            await s.execute(text("SELECT pg_stat_clear_snapshot()"))
            return int((await s.execute(stmt)).scalar_one())

    before = await temp_bytes()
    await call()
    await asyncio.sleep(11.0)  # a backend flushes its statistics within 10 s of going idle
    return (await temp_bytes() - before) / 1e6


async def run(households: int) -> dict[str, float | int]:
    with service_database("pairing", "jingzhun-bench-") as (stack, url):
        app = create_app(settings_for(PairingSettings, url))
        clock.freeze(TODAY)
        result: dict[str, float | int] = {"households": households}
        async with service_client(app) as client:
            db = app.state.db
            t0 = time.perf_counter()
            async with db.transaction() as s:
                for sql in (AREAS_SQL, CADRES_SQL, *TEAMS_SQL.split(";")):
                    await s.execute(text(sql))
                await s.execute(text(OVERRIDE_SQL), {"prefix": OVERRIDDEN_COUNTY})
            for lo in range(0, households, HOUSEHOLDS_PER_CHUNK):
                hi = min(lo + HOUSEHOLDS_PER_CHUNK, households) - 1
                params = {"n": households, "lo": lo, "hi": hi, "today": TODAY}
                async with db.transaction() as s:
                    for sql in (HOUSEHOLDS_SQL, PAIRINGS_SQL, VISITS_SQL):
                        await s.execute(text(sql), params)
            result["load_s"] = time.perf_counter() - t0
            stack.psql("VACUUM ANALYZE", database="pairing")

            reader = auth(["registrar"], "440000000000", sub="bench-province")
            for name, code, runs in (
                ("village", VILLAGE, 30),
                ("township", f"{TOWNSHIP}000", 20),
                ("county", f"{COUNTY}000000", 10),
                ("city", f"{CITY}00000000", 5),
                ("province", "440000000000", 2),
            ):

                def read(code: str = code) -> Awaitable[httpx.Response]:
                    return client.get(f"/pairing/v1/coverage?area_code={code}", headers=reader)

                samples, body = await _timed(read, runs)
                if isinstance(body, int):  # the code before this benchmark failed here: say how
                    result[f"read_{name}_failed_http_status"] = body
                    result[f"read_{name}_failed_after_ms"] = samples[-1] * 1000
                    continue
                result[f"read_{name}_p50_ms"], result[f"read_{name}_p95_ms"] = _percentiles(samples)
                if name == "county":  # to compare before/after: the numbers must not change
                    print(f"coverage.county_numbers: {body}")
                if name in ("city", "province"):
                    result[f"read_{name}_peak_py_mb"] = await _peak_mb(read)
                    result[f"read_{name}_temp_files_mb"] = await _temp_mb(db, read)

            office = auth(["registrar"], f"{COUNTY}000000", sub="bench-county")

            def check() -> Awaitable[httpx.Response]:
                return client.post("/pairing/v1/coverage/checks", headers=office)

            first, opened = await _timed(check, 1)
            assert isinstance(opened, dict), opened
            result["check_county_first_ms"] = first[0] * 1000
            result["check_county_first_opened"] = int(opened["opened"])
            samples, again = await _timed(check, 5)
            assert (again["opened"], again["closed"]) == (0, 0), again
            result["check_county_again_p50_ms"], result["check_county_again_p95_ms"] = _percentiles(samples)
            result["check_county_again_peak_py_mb"] = await _peak_mb(check)
        return result
