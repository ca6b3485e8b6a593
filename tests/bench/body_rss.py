"""Benchmark: what a ~150 MB upload costs the registry process in resident memory.

    .venv/bin/python -m tests.bench body_rss

The registry as a real uvicorn process (REGISTRY_MAX_UPLOAD_BYTES 256 MiB, no NATS) on a throwaway
PostgreSQL; one approver sends a ``BODY_MB`` (default 150) MB household import
(``POST /registry/v1/households/imports``: 5,000 rows, each padded with an unknown field to ~30 KB)
in 1 MiB chunks. The registry parses and validates all of it, then refuses it (its village was
never loaded). Prints VmRSS before, the peak (VmHWM) and VmRSS after, in MB: what the body gate
(shared/bodyguard.py) holds adds to what FastAPI and the route hold themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx

from deploy.local.stack import LocalStack, free_port
from shared.migrations import upgrade
from shared.resident_id import make
from shared.settings import REPO_ROOT
from tests.bench.stack import registry_env
from tests.support import auth

CHUNK = 1024 * 1024
APPROVER = auth(["approver"], "440783000000")


def _status(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024  # kB -> MB
    return fields


def _body(mb: int) -> Iterator[bytes]:
    rows = 5_000
    pad = "x" * (mb * 1024 * 1024 // rows)
    row = (
        '{"area_code": "440783101201", "year": 2016, "registered_on": "2016-12-01", '
        '"poverty_causes": ["illness"], "members": [{"name": "王大明", "resident_id": "%s", '
        '"relation": "head", "labour_capacity": "full"}], "padding": "%s"}'
    )
    pending = ['{"source_roll": "2016", "reason": "bench", "households": [']
    size = len(pending[0])
    for i in range(rows):
        person = make("440783", date(1940, 1, 1) + timedelta(days=i), 1, sex="male")
        piece = ("," if i else "") + row % (person, pad)
        pending.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(pending).encode()
            pending, size = [], 0
    pending.append("]}")
    yield "".join(pending).encode()


def _send(port: int, mb: int) -> int:
    url = f"http://127.0.0.1:{port}/registry/v1/households/imports"
    headers = {**APPROVER, "content-type": "application/json"}
    with httpx.Client(timeout=600) as c:
        return c.post(url, content=_body(mb), headers=headers).status_code


async def run(_size: int) -> dict[str, float]:
    mb = int(os.environ.get("BODY_MB", "150"))
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-body-rss-"))
    stack = LocalStack(tmp, fsync=False)
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    stack.start_postgres()
    proc = None
    try:
        stack.create_database("registry")
        url = stack.database_url("registry")
        upgrade("registry", url)
        port = free_port()
        env = registry_env(url, log_level="ERROR", REGISTRY_MAX_UPLOAD_BYTES=str(256 * 1024 * 1024))
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "services.registry.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            env=env, cwd=REPO_ROOT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        result: dict[str, float] = {"body_mb": float(mb)}
        Path(f"/proc/{proc.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        before = _status(proc.pid)["VmRSS"]
        result["status"] = float(_send(port, mb))
        time.sleep(1)
        after = _status(proc.pid)
        result |= {"rss_before_mb": before, "rss_peak_mb": after["VmHWM"], "rss_after_mb": after["VmRSS"]}
        return result
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        stack.stop()
