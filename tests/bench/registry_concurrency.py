"""Benchmark: concurrent household registrations into one village vs spread over 100 villages.

    .venv/bin/python -m tests.bench registry_concurrency

Real PostgreSQL with fsync on, the bench and the database pinned to 2 cores. Each request is a
clerk's ``POST /registry/v1/households`` through the app (in-process ASGI, token check, identity
check, household + members, the counter upsert over five levels, audit, outbox, commit).
``REGISTRY_BENCH_REQUESTS`` (default 1,000 per scenario) and ``REGISTRY_BENCH_CLIENTS`` (default
16 at once) set the size; the ``--households`` argument of the runner is not used. After each
scenario the village, township and county counters are checked against a count of the rows.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import date, timedelta
from itertools import count
from typing import Any

import httpx
from sqlalchemy import text

from services.registry.app import create_app
from services.registry.rollups.repository import RollupRepository
from services.registry.rollups.rules import Snapshot, counter_deltas
from services.registry.settings import RegistrySettings
from services.registry.vocabulary import HouseholdStatus
from shared.resident_id import make
from tests.bench.stack import registry_database
from tests.support import auth, service_client, settings_for

COUNTY = "440783"
CORES = 2
WARMUP = 50
_people = count(1)


def _areas() -> list[dict[str, object]]:
    areas: list[dict[str, object]] = [
        {"code": "440000000000", "name": "广东省"},
        {"code": "440700000000", "name": "江门市"},
        {"code": f"{COUNTY}000000", "name": "开平市"},
    ]
    for t in range(1, 11):  # 10 townships x 10 villages
        town = f"{COUNTY}{t:03d}"
        areas.append({"code": f"{town}000", "name": f"测试镇{t}", "synthetic_code": True})
        areas += [
            {"code": f"{town}{v:03d}", "name": f"测试村{t}-{v}", "synthetic_code": True} for v in range(1, 11)
        ]
    return areas


def _villages() -> list[str]:
    return [f"{COUNTY}{t:03d}{v:03d}" for t in range(1, 11) for v in range(1, 11)]


def _household(village: str) -> dict[str, Any]:
    n = next(_people)  # a distinct person each time: (birth date, odd sequence number)
    head = make("440783", date(1950, 1, 1) + timedelta(days=n // 450), (n % 450) * 2 + 1, sex="male")
    return {
        "area_code": village,
        "year": 2018,
        "members": [{"name": f"户主{n}", "resident_id": head, "relation": "head", "labour_capacity": "full"}],
        "poverty_causes": [("illness", "schooling", "disability")[n % 3]],
    }


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


async def _scenario(
    client: httpx.AsyncClient, villages: list[str], *, requests: int, clients: int
) -> dict[str, float]:
    headers = auth(["registrar"], f"{COUNTY}000000")
    bodies = [_household(villages[i % len(villages)]) for i in range(requests)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(bodies)

    async def clerk() -> None:
        for body in queue:
            t = time.perf_counter()
            r = await client.post("/registry/v1/households", json=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(clerk() for _ in range(clients)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    assert statuses == {201: requests}, statuses
    p50, p95 = _percentiles(latencies)
    # the app's own CPU (one Python process: tokens, ID checks, encryption, ORM) per second of wall
    return {"per_s": requests / wall, "p50_ms": p50, "p95_ms": p95, "app_cpu": cpu / wall}


async def _counters_only(app: Any, villages: list[str], *, requests: int, clients: int) -> dict[str, float]:
    """The database side alone: one transaction per registration doing just its counter upsert
    (5 levels x status and cause) and the commit (fsync). Little Python, so the hot rows show."""
    db = app.state.db
    latencies: list[float] = []
    todo = iter(range(requests))

    async def writer() -> None:
        for i in todo:
            snap = Snapshot(villages[i % len(villages)], HouseholdStatus.CANDIDATE, 1, ("illness",))
            t = time.perf_counter()
            async with db.transaction() as s:
                await RollupRepository(s).apply(counter_deltas(None, snap))
            latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(clients)))
    wall = time.perf_counter() - t0
    p50, p95 = _percentiles(latencies)
    return {"per_s": requests / wall, "p50_ms": p50, "p95_ms": p95}


async def _check_counters(app: Any) -> None:
    """Candidate counters of every village, township and the county equal a count of the rows."""
    async with app.state.db.transaction() as s:
        for length in (6, 9, 12):
            rows = await s.execute(
                text(
                    "SELECT substr(area_code, 1, :n) AS p, count(*) AS h, sum(member_count) AS m "
                    "FROM household WHERE status = 'candidate' GROUP BY 1"
                ),
                {"n": length},
            )
            for p, h, m in rows.all():
                got = await s.execute(
                    text(
                        "SELECT households, persons FROM rollup_counter "
                        "WHERE area_prefix = :p AND dimension = 'status' AND key = 'candidate'"
                    ),
                    {"p": p},
                )
                assert tuple(got.one()) == (h, m), (p, h, m)


async def run(_size: int) -> dict[str, float]:
    requests = int(os.environ.get("REGISTRY_BENCH_REQUESTS", "1000"))
    clients = int(os.environ.get("REGISTRY_BENCH_CLIENTS", "16"))
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, cpus[:CORES])  # PostgreSQL started below inherits the two cores
    with registry_database("jingzhun-bench-") as (_, url):
        app = create_app(settings_for(RegistrySettings, url, db_pool_size=clients))
        async with service_client(app) as client:
            r = await client.post(
                "/registry/v1/areas", json={"areas": _areas()}, headers=auth(["registrar"], "440000000000")
            )
            assert r.status_code == 200, r.text
            villages = _villages()
            await _scenario(client, villages, requests=WARMUP, clients=clients)
            one = await _scenario(client, villages[:1], requests=requests, clients=clients)
            spread = await _scenario(client, villages, requests=requests, clients=clients)
            serial = await _scenario(client, villages, requests=requests // 4, clients=1)
            await _check_counters(app)
            # counters alone: same province (one village / 100 villages) vs one province per writer
            provinces = [f"{p}0783101201" for p in range(11, 11 + clients)]
            rows = {
                "one_village": await _counters_only(app, villages[:1], requests=requests, clients=clients),
                "100_villages": await _counters_only(app, villages, requests=requests, clients=clients),
                "own_province": await _counters_only(app, provinces, requests=requests, clients=clients),
            }
        return {
            "cores": min(CORES, len(cpus)),
            "clients": clients,
            "requests_per_scenario": requests,
            "one_village_per_s": one["per_s"],
            "one_village_p50_ms": one["p50_ms"],
            "one_village_p95_ms": one["p95_ms"],
            "one_village_app_cpu_cores": one["app_cpu"],
            "100_villages_per_s": spread["per_s"],
            "100_villages_p50_ms": spread["p50_ms"],
            "100_villages_p95_ms": spread["p95_ms"],
            "100_villages_app_cpu_cores": spread["app_cpu"],
            "one_clerk_per_s": serial["per_s"],
            "one_clerk_p50_ms": serial["p50_ms"],
            "one_clerk_app_cpu_cores": serial["app_cpu"],
        } | {f"counters_only_{k}_{m}": v[m] for k, v in rows.items() for m in ("per_s", "p50_ms", "p95_ms")}
        os.sched_setaffinity(0, cpus)
