"""Benchmark: a county's 结对帮扶名单 as one XLSX through the staged import (pairing), real PostgreSQL.

    .venv/bin/python -m tests.bench pairing_import --rows 5000

Projects N synthetic households (household_ref rows, as the registry's events would leave them),
writes an XLSX of N rows — N/5 cadres new to the system (工号 bench-…), each paired with five
households, the cap — uploads it to ``POST /pairing/v1/imports`` through the app (in-process ASGI,
token checks included), polls until validated (every row through ``check_open`` over what the
database knows plus the rows above), commits it (``all_or_nothing``: the helpers, the pairings, one
``pairing.opened`` outbox row each, the needs fulfilled, one audit record, all in one transaction)
and checks the counts. Prints rows/s of each phase and the process's peak resident memory.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert, text

from deploy.local.stack import LocalStack
from services.pairing.app import create_app
from services.pairing.imports.rules import HEADERS
from services.pairing.models import HouseholdRef
from services.pairing.settings import PairingSettings
from shared.migrations import upgrade
from tests.support import auth, service_client, settings_for, wait_for

COUNTY = "440783"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _village(h: int) -> str:
    return f"{COUNTY}{1 + h % 20:03d}{1 + (h // 20) % 20:03d}"


def write_roll(path: Path, rows: int) -> None:
    book = Workbook(write_only=True)
    ws = book.create_sheet("结对帮扶名单")
    ws.append(list(HEADERS))
    for h in range(rows):
        cadre = h // 5
        ws.append(
            [
                f"干部{cadre}",
                f"bench-{cadre}",
                "开平市某局",
                "县",
                "干部",
                None,
                "干部结对帮扶户",
                f"BH{h:08d}",
                None,
            ]
        )
    book.save(path)


def _database(stack: LocalStack) -> str:
    """A fresh pairing database on a PostgreSQL of its own, at the head migration."""
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    stack.start_postgres()
    stack.create_database("pairing")
    url = stack.database_url("pairing")
    upgrade("pairing", url)
    return url


async def run(rows: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-bench-"))
    stack = LocalStack(tmp, fsync=True)
    try:
        app = create_app(settings_for(PairingSettings, _database(stack)))
        office = auth(["registrar"], f"{COUNTY}000000")
        roll = tmp / "pairings.xlsx"
        write_roll(roll, rows)
        data = roll.read_bytes()
        households = [
            {
                "id": uuid.uuid4(),
                "household_number": f"BH{h:08d}",
                "area_code": _village(h),
                "status": "registered",
            }
            for h in range(rows)
        ]
        async with service_client(app) as client:
            async with app.state.db.transaction() as s:  # as the registry's events would project them
                await s.execute(insert(HouseholdRef), households)

            async def settle(import_id: str) -> dict[str, object]:
                """The import once it no longer runs (polled every 0.1 s, as a client would)."""

                async def probe() -> dict[str, object] | None:
                    job = (await client.get(f"/pairing/v1/imports/{import_id}", headers=office)).json()
                    return None if job["status"] in ("validating", "committing") else dict(job)

                return await wait_for(probe, timeout_s=3600, interval_s=0.1, what="the import")

            rss_before = _peak_mb()
            t = time.perf_counter()
            r = await client.post("/pairing/v1/imports", content=data, headers=office)
            assert r.status_code == 202, r.text
            job = await settle(r.json()["id"])
            validate_s = time.perf_counter() - t
            assert (job["status"], job["rows_accepted"]) == ("validated", rows), job
            t = time.perf_counter()
            r = await client.post(
                f"/pairing/v1/imports/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=office
            )
            assert r.status_code == 202, r.text
            job = await settle(str(job["id"]))
            commit_s = time.perf_counter() - t
            assert (job["status"], job["rows_committed"]) == ("committed", rows), job
            async with app.state.db.transaction() as s:
                pairings = (await s.execute(text("SELECT count(*) FROM pairing"))).scalar_one()
                helpers = (await s.execute(text("SELECT count(*) FROM helper"))).scalar_one()
                events = (
                    await s.execute(
                        text("SELECT count(*) FROM outbox WHERE type = 'pairing.pairing.opened.v1'")
                    )
                ).scalar_one()
            assert (pairings, helpers, events) == (rows, rows // 5, rows)
        figures: dict[str, float] = {"rows": rows, "xlsx_mb": len(data) / 1e6}
        figures |= {"upload_validate_s": validate_s, "upload_validate_rows_per_s": rows / validate_s}
        figures |= {"commit_s": commit_s, "commit_rows_per_s": rows / commit_s}
        figures["load_average_1min"] = os.getloadavg()[0]
        figures |= {"peak_rss_mb_before_upload": rss_before, "peak_rss_mb": _peak_mb()}
        return figures
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
