"""Benchmark: a county roll-up over 1,000,000 households (registry), on real PostgreSQL.

    .venv/bin/python -m tests.bench rollups --households 1000000

Loads one county (20 townships, 400 villages) with N synthetic registered/exited households by
SQL, builds the maintained counters from per-village groups through the registry's own roll-up
rules, checks them against a full scan, then times GET /rollups/{county} and /pyramid through the
app (in-process ASGI, token checks included) and, for comparison, the full-scan query the
counters replace.
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import text

from services.registry.app import create_app
from services.registry.rollups.repository import RollupRepository
from services.registry.rollups.rules import CounterDelta, Snapshot, counter_deltas
from services.registry.settings import RegistrySettings
from services.registry.vocabulary import HouseholdStatus
from tests.bench.stack import registry_database
from tests.support import auth, service_client, settings_for

COUNTY = "440783"
CAUSES = ["illness", "schooling", "disability", "lack_of_labour", "lack_of_funds", "lack_of_skills"]
BATCHES = ["production_employment", "education", "dibao_floor"]

LOAD_SQL = """
INSERT INTO household (id, household_number, area_code, status, year, head_name, member_count,
                       poverty_causes, batches, dibao, five_guarantee, basic_needs, income_channels,
                       version, created_at, updated_at)
SELECT gen_random_uuid(), 'B' || lpad(g::text, 12, '0'),
       CAST(:county AS text) || lpad((1 + g % 20)::text, 3, '0') || lpad((1 + (g / 20) % 20)::text, 3, '0'),
       CASE WHEN g % 10 < 8 THEN 'registered' ELSE 'exited' END,
       2016 + g % 3, '测试户' || g, 1 + g % 5,
       ARRAY[(CAST(:causes AS text[]))[1 + g % 6]]::varchar[],
       ARRAY[(CAST(:batches AS text[]))[1 + (g / 7) % 3]]::varchar[],
       g % 2 = 0, false, '{}'::jsonb, '{}'::varchar[], 1, now(), now()
FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g
"""

GROUPS_SQL = """
SELECT area_code, status, poverty_causes, batches, member_count, count(*) AS n
FROM household GROUP BY area_code, status, poverty_causes, batches, member_count
"""


def _areas() -> list[dict[str, object]]:
    areas: list[dict[str, object]] = [
        {"code": "440000000000", "name": "广东省"},
        {"code": "440700000000", "name": "江门市"},
        {"code": f"{COUNTY}000000", "name": "开平市", "rural_population": 2_600_000},
    ]
    for t in range(1, 21):
        town = f"{COUNTY}{t:03d}"
        areas.append({"code": f"{town}000", "name": f"测试镇{t}", "synthetic_code": True})
        for v in range(1, 21):
            areas.append(
                {
                    "code": f"{town}{v:03d}",
                    "name": f"测试村{t}-{v}",
                    "synthetic_code": True,
                    "rural_population": 6_500,
                }
            )
    return areas


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


async def run(households: int) -> dict[str, float]:
    with registry_database("jingzhun-bench-") as (_, url):
        app = create_app(settings_for(RegistrySettings, url))
        admin = auth(["registrar"], "440000000000")
        county = auth(["registrar"], f"{COUNTY}000000")
        async with service_client(app) as client:
            r = await client.post("/registry/v1/areas", json={"areas": _areas()}, headers=admin)
            assert r.status_code == 200, r.text
            db = app.state.db
            t0 = time.perf_counter()
            for lo in range(0, households, 100_000):
                hi = min(lo + 100_000, households) - 1
                async with db.transaction() as s:
                    await s.execute(
                        text(LOAD_SQL),
                        {"county": COUNTY, "causes": CAUSES, "batches": BATCHES, "lo": lo, "hi": hi},
                    )
            load_s = time.perf_counter() - t0

            t1 = time.perf_counter()
            async with db.transaction() as s:
                groups = (await s.execute(text(GROUPS_SQL))).all()
                merged: dict[tuple[str, str, str], list[int]] = {}
                for g in groups:
                    snap = Snapshot(
                        g.area_code,
                        HouseholdStatus(g.status),
                        g.member_count,
                        tuple(g.poverty_causes),
                        tuple(g.batches),
                    )
                    for d in counter_deltas(None, snap):
                        cell = merged.setdefault((d.area_prefix, d.dimension, d.key), [0, 0])
                        cell[0] += d.households * g.n
                        cell[1] += d.persons * g.n
                await RollupRepository(s).apply(
                    [CounterDelta(p, dim, k, h, n) for (p, dim, k), (h, n) in merged.items()]
                )
            counters_s = time.perf_counter() - t1

            async with db.transaction() as s:
                await s.execute(text("ANALYZE"))
                t2 = time.perf_counter()
                scan = (
                    await s.execute(
                        text(
                            "SELECT status, count(*), sum(member_count) FROM household "
                            "WHERE area_code LIKE :p GROUP BY status"
                        ),
                        {"p": f"{COUNTY}%"},
                    )
                ).all()
                scan_s = time.perf_counter() - t2

            samples: list[float] = []
            body: dict[str, object] = {}
            for _ in range(200):
                t = time.perf_counter()
                r = await client.get(f"/registry/v1/rollups/{COUNTY}000000", headers=county)
                samples.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
                body = r.json()
            by_status = body["by_status"]
            assert isinstance(by_status, dict)
            for status, n, persons in scan:
                assert by_status[status] == {"households": n, "persons": persons}, (status, by_status)
            assert sum(c["households"] for c in by_status.values()) == households
            rollup_p50, rollup_p95 = _percentiles(samples)

            pyramid: list[float] = []
            for _ in range(50):
                t = time.perf_counter()
                r = await client.get(f"/registry/v1/rollups/{COUNTY}000000/pyramid", headers=county)
                pyramid.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
            pyramid_p50, pyramid_p95 = _percentiles(pyramid)
        return {
            "households": households,
            "load_s": load_s,
            "build_counters_s": counters_s,
            "rollup_p50_ms": rollup_p50,
            "rollup_p95_ms": rollup_p95,
            "pyramid_20_townships_p50_ms": pyramid_p50,
            "pyramid_20_townships_p95_ms": pyramid_p95,
            "full_scan_query_ms": scan_s * 1000,
        }
