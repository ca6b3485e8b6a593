"""Benchmark: the registry's bulk import against raw COPY, both measured in the same run.

    .venv/bin/python -m tests.bench bulk_import                   # 50,000 households
    BENCH_IMPORT_HOUSEHOLDS=100000 .venv/bin/python -m tests.bench bulk_import
    BENCH_WORKERS=2 BENCH_IMPORT_STREAMS=2 .venv/bin/python -m tests.bench bulk_import

One PostgreSQL (fsync on) under a temporary folder; the registry app in this process (in-process
ASGI, token checks included), or with ``BENCH_WORKERS=N`` a uvicorn process of N workers as ops
run an API replica (relay, consumers and jobs off; the service's CPU is then every worker's).
``BENCH_IMPORT_STREAMS=M`` (default 1): M import calls at once, as a loader with M connections
(or M clerks of one office) sends them; each stream takes the next 5,000 households of the roll
(distinct households, distinct IDs) when its last call is answered. All the calls' bodies are
made and encoded before the clock starts. ``POST /registry/v1/households/imports`` takes the roll
5,000 households a call (1-5 members each, ~3 on average as China's roll: 89.6 M people in 29.5 M
households; valid GB 11643 check digits, registered in 2018, an old roll with its source).
Two raw ceilings, each ONE stream of ``COPY`` (one connection, whatever BENCH_IMPORT_STREAMS;
several streams' import is thus compared with one stream's COPY) of the same number of households
and their members, right after the import, on the same database (``ratios._copy_ceiling``). Both
include: the rows the import wrote (every column, ciphertexts and blind index; fresh ids and
hashes), binary COPY from asyncpg into ``CREATE TABLE … (LIKE … INCLUDING ALL)`` copies — the same
indexes (household: primary key, unique number, area/id, head name, status; member: primary key,
household, blind index, unique held identity), defaults, NOT NULL and CHECK constraints — empty at
the start, as the import's tables were before its first call, in one transaction with its commit
(the import: one a call). Both leave out what the issue's "COPY into tables with the registry's
indexes" does not name: the outbox rows (one event a household), audit and counters, any Python
(the records are built before the clock starts), and the import's transactions (one a call).

- ``copy_households_per_s`` / ``ratio`` (generous): no foreign key (LIKE copies none).
- ``copy_as_is_households_per_s`` / ``ratio_as_is`` (the registry's tables as they are): also every
  foreign key of household and member (read from pg_constraint), member → household pointing at
  the household copy — the check PostgreSQL makes for each member the import writes.

Prints households/s of the import and both ceilings, both ratios, the service's CPU per household
(this process's, or every uvicorn worker's with BENCH_WORKERS: its Python side — the body gate,
pydantic, ID checks, encryption and blind index, COPY encoding; PostgreSQL not counted),
PostgreSQL's CPU per household (its postmaster and every process under it: backends, WAL writer,
checkpointer; a single stream of calls cannot import faster than the larger of the two, and not
faster than their sum where they do not overlap; several streams on several workers not faster than
the sum divided by the cores), the wall time per household, the cores kept busy (service and
PostgreSQL CPU seconds a wall second: 1.0 when a call runs its two sides in turn, 2.0 when they
overlap on two cores), the 1-minute load average (the machine is shared: compare the ratio, which
both sides' load moves alike, more than the absolute figures) and what China's roll would take at
this rate. With several workers and streams also the loader's CPU per household (this process
sending the calls) and the cores' bound: the machine's cores over the service's, PostgreSQL's and
the loader's CPU a household — what this work would import with the machine to itself (the shared
machine's wall time does not say it).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from deploy.local.stack import free_port
from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from shared.resident_id import make
from tests.bench.ratios import _areas, _copy_ceiling, _spawn, _tree_cpu_s, _villages, _wait
from tests.bench.stack import registry_database, registry_env
from tests.support import auth, service_client, settings_for

CALL = 5_000  # households per request (the route's limit)
CHINA_HOUSEHOLDS = 29_500_000
RELATIONS = ("head", "spouse", "child", "child", "parent")
CAUSES = ("illness", "schooling", "disability", "lack_of_labour", "lack_of_funds")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _database_cpu_s(data_dir: Path) -> float:
    """CPU of the PostgreSQL serving under ``data_dir``: its postmaster and every process under it
    (backends, WAL writer, checkpointer …)."""
    postmaster = int(next(data_dir.glob("**/postmaster.pid")).read_text().split()[0])
    return _tree_cpu_s(postmaster)


def _roll(start: int, n: int, villages: list[str]) -> list[dict[str, Any]]:
    """Households ``start`` … ``start + n - 1``; person numbers follow from the household's."""
    rows = []
    born0 = date(1940, 1, 1)
    for h in range(start, start + n):
        members = []
        for m in range(1 + h % 5):
            person = h * 5 + m  # distinct across the roll
            day, seq = divmod(person, 1000)
            members.append(
                {
                    "name": f"测试{h}-{m}",
                    "resident_id": make("440783", born0 + timedelta(days=day % 25_000), seq),
                    "relation": RELATIONS[m],
                    "labour_capacity": "full",
                }
            )
        rows.append(
            {
                "area_code": villages[h % len(villages)],
                "year": 2018,
                "members": members,
                "poverty_causes": [CAUSES[h % len(CAUSES)]],
                "registered_on": "2018-06-30",
            }
        )
    return rows


@asynccontextmanager
async def _registry(url: str, data_dir: Path, workers: str | None) -> AsyncIterator[_Service]:
    """The registry: in this process (``workers`` None; its client in-process ASGI) or a uvicorn
    process with ``workers`` workers, as ops run an API replica (relay, consumers and jobs off in
    both, as without NATS); an HTTP client to it and the service's CPU seconds so far."""
    if workers is None:
        app = create_app(settings_for(RegistrySettings, url))
        async with service_client(app) as client:
            yield _Service(client, _cpu_s)
        return
    port = free_port()
    proc = _spawn(
        # fmt: off
        [
            sys.executable,
            "-m",
            "uvicorn",
            "services.registry.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--workers",
            workers,
        ],
        # fmt: on
        registry_env(url),
        data_dir.parent / "registry.log",
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/health/live", proc)
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            yield _Service(client, lambda: _tree_cpu_s(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass(frozen=True, slots=True)
class _Service:
    client: httpx.AsyncClient
    cpu_s: Callable[[], float]


async def run(size: int) -> dict[str, float]:
    households = int(os.environ.get("BENCH_IMPORT_HOUSEHOLDS", str(min(size, 50_000))))
    workers = os.environ.get("BENCH_WORKERS")  # unset: the registry in this process
    streams = int(os.environ.get("BENCH_IMPORT_STREAMS", "1"))
    with registry_database("jingzhun-bulk-") as (data_dir, url):
        admin = auth(["registrar", "approver"], "440000000000")
        sent = admin | {"content-type": "application/json"}
        villages = _villages()
        # the calls' bodies made and encoded before the clock starts, as a loader would have them
        bodies = [
            json.dumps(
                {
                    "households": _roll(start, min(CALL, households - start), villages),
                    "source_roll": "bench 2018 roll",
                    "reason": "benchmark data",
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            for start in range(0, households, CALL)
        ]
        async with _registry(url, data_dir, workers) as service:
            client = service.client
            r = await client.post("/registry/v1/areas", json={"areas": _areas()}, headers=admin)
            assert r.status_code == 200, r.text
            queue = iter(bodies)  # each stream takes the next call's body when its last one is answered

            async def stream() -> None:
                for content in queue:
                    r = await client.post("/registry/v1/households/imports", content=content, headers=sent)
                    assert r.status_code == 200, r.text[:2000]

            d, c, t = _database_cpu_s(data_dir), service.cpu_s(), time.perf_counter()
            own = _cpu_s()  # the loader's (this process's; the service's too when in it)
            await asyncio.gather(*(stream() for _ in range(streams)))
            wall, cpu = time.perf_counter() - t, service.cpu_s() - c
            db_cpu = _database_cpu_s(data_dir) - d
            loader = _cpu_s() - own if workers else 0.0
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(dsn)
        try:
            persons = await conn.fetchval("SELECT count(*) FROM member")
            events = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE type LIKE '%.household.registered.%'"
            )
            distinct = await conn.fetchval("SELECT count(DISTINCT household_number) FROM household")
        finally:
            await conn.close()
        assert events == distinct == households, (events, distinct)
        copy_per_s = await _copy_ceiling(dsn, households)
        copy_as_is_per_s = await _copy_ceiling(dsn, households, foreign_keys=True)
        import_per_s = households / wall
        return {
            "households": households,
            "persons": persons,
            "uvicorn_workers": int(workers) if workers else 0,
            "import_streams": streams,
            "import_households_per_s": import_per_s,
            "import_persons_per_s": persons / wall,
            "copy_households_per_s": copy_per_s,
            "copy_streams": 1,  # the ceiling is one connection's COPY, whatever the import's streams
            "ratio": import_per_s / copy_per_s,
            "copy_as_is_households_per_s": copy_as_is_per_s,  # … with the tables' foreign keys
            "ratio_as_is": import_per_s / copy_as_is_per_s,
            "service_cpu_us_per_household": cpu / households * 1e6,
            "database_cpu_us_per_household": db_cpu / households * 1e6,
            "wall_us_per_household": wall / households * 1e6,
            # CPU seconds of the service and PostgreSQL a wall second: 1.0 when they took turns, up to
            # the cores when they overlapped (one stream: how well a call pipelines its two sides);
            # the machine's other work lowers it, as it does the import's rate
            "cores_busy": (cpu + db_cpu) / wall,
            "china_roll_minutes": CHINA_HOUSEHOLDS / import_per_s / 60,
            "load_average_1min": os.getloadavg()[0],
        } | (
            {}
            if workers is None or streams == 1
            else _cores_bound(households, cpu=cpu, db_cpu=db_cpu, loader=loader)
        )


def _cores_bound(households: int, *, cpu: float, db_cpu: float, loader: float) -> dict[str, float]:
    """What the machine's cores would import were they this work's alone and kept busy (several
    workers and streams): the cores over every CPU second a household took — service, PostgreSQL
    and the loader sending the calls — for a shared machine, where the wall time says little."""
    cores = os.cpu_count() or 1
    per_s = cores * households / (cpu + db_cpu + loader)
    return {
        "loader_cpu_us_per_household": loader / households * 1e6,
        "cores_bound_households_per_s": per_s,
        "cores_bound_china_roll_minutes": CHINA_HOUSEHOLDS / per_s / 60,
    }
