"""Benchmark: a county's 建档立卡 roll as one XLSX through the staged import (registry), real PostgreSQL.

    .venv/bin/python -m tests.bench spreadsheet_import --households 100000

Writes an XLSX of N synthetic households (1-5 members each, ~3 on average, valid GB 11643 check
digits; openpyxl write-only, so writing it holds no sheet in memory), uploads it to
``POST /registry/v1/imports?kind=registration`` through the app (in-process ASGI, token checks
included), polls until it is validated (rows parsed, checked, COPYed into the staging table in
chunks, the set-shaped checks in SQL), commits it (``valid_rows_only``: INSERT … SELECT into
household/member, outbox rows, one audit record, the counters once) and checks the counts.
Prints rows/s and households/s of each phase and the process's peak resident memory
(``resource.getrusage``: the service and the bench share the process; PostgreSQL is not counted).
"""

from __future__ import annotations

import asyncio
import os
import resource
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import text

from services.registry.app import create_app
from services.registry.imports.rules import HEADERS
from services.registry.settings import RegistrySettings
from shared.clock import clock
from shared.resident_id import make
from tests.bench.rollups import COUNTY, _areas
from tests.bench.stack import registry_database
from tests.support import auth, service_client, settings_for

RELATIONS = ["户主", "配偶", "子女", "子女", "父母"]
CAUSES = ["因病", "因学", "因残", "缺劳力", "缺资金", "缺技术"]


def _cpu_s() -> float:
    """CPU seconds of this process (the service's Python side; PostgreSQL's work is not counted):
    the figure that does not depend on how busy the machine's other processes keep the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_roll(path: Path, households: int) -> int:
    """The roll as XLSX; returns the number of member rows."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("建档立卡花名册")
    ws.append(list(HEADERS))
    today = clock.today().isoformat()
    year = str(clock.today().year)
    born0 = date(1940, 1, 1)
    person = 0
    for h in range(households):
        village = f"{COUNTY}{1 + h % 20:03d}{1 + (h // 20) % 20:03d}"
        for m in range(1 + h % 5):
            day, seq = divmod(person, 1000)
            number = make("440783", born0 + timedelta(days=day % 25_000), seq)
            person += 1
            if m == 0:
                ws.append(
                    [
                        f"B{h:010d}",
                        village,
                        f"测试户{h}",
                        number,
                        "户主",
                        "普通劳动力",
                        CAUSES[h % 6],
                        "",
                        year,
                        today,
                    ]
                )
            else:
                ws.append(
                    [
                        f"B{h:010d}",
                        "",
                        f"成员{h}-{m}",
                        number,
                        RELATIONS[m],
                        "弱劳动力或半劳动力",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
    book.save(path)
    return person


async def run(households: int) -> dict[str, float]:
    with registry_database("jingzhun-bench-") as (tmp, url):
        app = create_app(settings_for(RegistrySettings, url))
        uploader = auth(["approver"], f"{COUNTY}000000")
        t = time.perf_counter()
        roll = tmp / "roll.xlsx"
        rows = write_roll(roll, households)
        write_s = time.perf_counter() - t
        data = roll.read_bytes()
        rss_before = _peak_mb()
        async with service_client(app) as client:
            r = await client.post(
                "/registry/v1/areas", json={"areas": _areas()}, headers=auth(["registrar"], "440000000000")
            )
            assert r.status_code == 200, r.text

            async def settle(import_id: str) -> dict[str, object]:
                while True:
                    r = await client.get(f"/registry/v1/imports/{import_id}", headers=uploader)
                    if r.json()["status"] not in ("validating", "committing"):
                        return dict(r.json())
                    await asyncio.sleep(0.2)

            t, cpu = time.perf_counter(), _cpu_s()
            r = await client.post(
                "/registry/v1/imports", params={"kind": "registration"}, content=data, headers=uploader
            )
            assert r.status_code == 202, r.text
            job = await settle(r.json()["id"])
            validate_s, validate_cpu = time.perf_counter() - t, _cpu_s() - cpu
            assert (job["status"], job["rows_refused"]) == ("validated", 0), job
            rss_validated = _peak_mb()
            t, cpu = time.perf_counter(), _cpu_s()
            r = await client.post(
                f"/registry/v1/imports/{job['id']}/commit", json={"mode": "valid_rows_only"}, headers=uploader
            )
            assert r.status_code == 202, r.text
            job = await settle(str(job["id"]))
            commit_s, commit_cpu = time.perf_counter() - t, _cpu_s() - cpu
            assert (job["status"], job["households_committed"]) == ("committed", households), job
            async with app.state.db.transaction() as s:
                n = (await s.execute(text("SELECT count(*) FROM household"))).scalar_one()
                events = (
                    await s.execute(text("SELECT count(*) FROM outbox WHERE type LIKE '%registered%'"))
                ).scalar_one()
                counted = (
                    await s.execute(
                        text(
                            "SELECT households, persons FROM rollup_counter WHERE area_prefix = :p "
                            "AND dimension = 'status' AND key = 'registered'"
                        ),
                        {"p": COUNTY},
                    )
                ).one()
            assert (n, events) == (households, households)
            assert (counted.households, counted.persons) == (households, rows)
        return {
            "households": households,
            "member_rows": rows,
            "xlsx_mb": len(data) / 1e6,
            "write_xlsx_s": write_s,
            "upload_validate_s": validate_s,
            "upload_validate_rows_per_s": rows / validate_s,
            "upload_validate_households_per_s": households / validate_s,
            "upload_validate_service_cpu_s": validate_cpu,
            "upload_validate_rows_per_service_cpu_s": rows / validate_cpu,
            "commit_s": commit_s,
            "commit_service_cpu_s": commit_cpu,
            "commit_rows_per_s": rows / commit_s,
            "commit_households_per_s": households / commit_s,
            "load_average_1min": os.getloadavg()[0],
            "peak_rss_mb_before_upload": rss_before,
            "peak_rss_mb_after_validate": rss_validated,
            "peak_rss_mb": _peak_mb(),
        }
