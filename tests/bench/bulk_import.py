"""Benchmark: the registry's bulk import against raw COPY, both measured in the same run.

    .venv/bin/python -m tests.bench bulk_import                   # 50,000 households
    BENCH_IMPORT_HOUSEHOLDS=100000 .venv/bin/python -m tests.bench bulk_import

One PostgreSQL (fsync on) under a temporary folder; the registry app in this process (in-process
ASGI, token checks included). ``POST /registry/v1/households/imports`` takes the roll 5,000
households a call (1-5 members each, ~3 on average as China's roll: 89.6 M people in 29.5 M
households; valid GB 11643 check digits, registered in 2018, an old roll with its source).
The raw ceiling is ``COPY`` of the same number of households and their members into copies of
household and member with all their indexes (``ratios._copy_ceiling``), right after, on the same
database. Exactly what it includes: the rows the import wrote (every column, ciphertexts and blind
index, fresh ids and hashes), binary COPY from asyncpg into ``CREATE TABLE … (LIKE … INCLUDING
ALL)`` copies — the same indexes (household: primary key, unique number, area/id, head name,
status; member: primary key, household, blind index, unique held identity), defaults, NOT NULL
and CHECK constraints — in one transaction with its commit. What it leaves out, so that it is a
generous ceiling: the member → household foreign key (LIKE copies none), the outbox rows (one
event a household), audit and counters, any Python (the records are built before the clock
starts), and size: its tables start empty while the import's grow by every call before.
Prints households/s of both, the ratio, this process's CPU per household (the service's
Python side: the body gate, pydantic, ID checks, encryption and blind index, COPY encoding; the
request body is encoded before the clock starts, as a client would have it; PostgreSQL not
counted), PostgreSQL's CPU per household (its postmaster and every process under it: backends,
WAL writer, checkpointer; a single stream of calls cannot import faster than the larger of the
two, and not faster than their sum where they do not overlap), the wall time per household, the
1-minute load average (the machine is shared: compare the ratio, which both sides' load moves
alike, more than the absolute figures) and what China's roll would take at this rate.
"""

from __future__ import annotations

import json
import os
import resource
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from shared.resident_id import make
from tests.bench.ratios import _areas, _copy_ceiling, _tree_cpu_s, _villages
from tests.bench.stack import registry_database
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


async def run(size: int) -> dict[str, float]:
    households = int(os.environ.get("BENCH_IMPORT_HOUSEHOLDS", str(min(size, 50_000))))
    with registry_database("jingzhun-bulk-") as (data_dir, url):
        app = create_app(settings_for(RegistrySettings, url))
        admin = auth(["registrar", "approver"], "440000000000")
        sent = admin | {"content-type": "application/json"}
        villages = _villages()
        wall = cpu = db_cpu = 0.0
        async with service_client(app) as client:
            r = await client.post("/registry/v1/areas", json={"areas": _areas()}, headers=admin)
            assert r.status_code == 200, r.text
            for start in range(0, households, CALL):
                body = {
                    "households": _roll(start, min(CALL, households - start), villages),
                    "source_roll": "bench 2018 roll",
                    "reason": "benchmark data",
                }
                content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
                d = _database_cpu_s(data_dir)
                t, c = time.perf_counter(), _cpu_s()  # the roll's making and encoding are not counted
                r = await client.post("/registry/v1/households/imports", content=content, headers=sent)
                wall, cpu = wall + time.perf_counter() - t, cpu + _cpu_s() - c
                db_cpu += _database_cpu_s(data_dir) - d
                assert r.status_code == 200, r.text[:2000]
            async with app.state.db.transaction() as s:
                persons = (await s.execute(text("SELECT count(*) FROM member"))).scalar_one()
                events = (
                    await s.execute(
                        text("SELECT count(*) FROM outbox WHERE type LIKE '%.household.registered.%'")
                    )
                ).scalar_one()
            assert events == households, events
        copy_per_s = await _copy_ceiling(url.replace("postgresql+asyncpg://", "postgresql://"), households)
        import_per_s = households / wall
        return {
            "households": households,
            "persons": persons,
            "import_households_per_s": import_per_s,
            "import_persons_per_s": persons / wall,
            "copy_households_per_s": copy_per_s,
            "ratio": import_per_s / copy_per_s,
            "service_cpu_us_per_household": cpu / households * 1e6,
            "database_cpu_us_per_household": db_cpu / households * 1e6,
            "wall_us_per_household": wall / households * 1e6,
            "china_roll_minutes": CHINA_HOUSEHOLDS / import_per_s / 60,
            "load_average_1min": os.getloadavg()[0],
        }
