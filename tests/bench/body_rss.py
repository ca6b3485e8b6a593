"""Benchmark: what a ~150 MB upload costs the registry process in resident memory.

    .venv/bin/python -m tests.bench body_rss

The registry as a real uvicorn process (REGISTRY_MAX_UPLOAD_BYTES 256 MiB, no NATS) on a throwaway
PostgreSQL; one approver sends ``BODY_MB`` (default 150) MB to the spreadsheet import route
``POST /registry/v1/imports`` in 1 MiB chunks, twice:

- ``gate``: with a query the route refuses (422) before it reads the body, so only the body gate
  (shared/bodyguard.py) holds it: since uploads are spooled to disk, a few MB at most;
- ``route``: a real upload of bytes that are no spreadsheet (422 from the route after it read them):
  the route's own copy of the file included.

Each prints VmRSS before, the peak (VmHWM, reset between the two) and VmRSS after, in MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from deploy.local.stack import LocalStack, free_port
from shared.migrations import upgrade
from shared.settings import REPO_ROOT
from tests.support import TEST_PUBLIC_KEY, auth

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
    block = os.urandom(CHUNK)
    for _ in range(mb):
        yield block


def _send(port: int, mb: int, params: dict[str, str]) -> int:
    url = f"http://127.0.0.1:{port}/registry/v1/imports"
    headers = {**APPROVER, "content-type": "application/octet-stream"}
    with httpx.Client(timeout=600) as c:
        return c.post(url, params=params, content=_body(mb), headers=headers).status_code


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
        env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": url,
            "REGISTRY_JWT_PUBLIC_KEY_PEM": TEST_PUBLIC_KEY,
            "REGISTRY_RUN_RELAY": "false",
            "REGISTRY_RUN_CONSUMERS": "false",
            "REGISTRY_RUN_JOBS": "false",
            "REGISTRY_LOG_LEVEL": "WARNING",
            "REGISTRY_MAX_UPLOAD_BYTES": str(256 * 1024 * 1024),
        }
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
        for name, params in (("gate", {"kind": "no-such-kind"}), ("route", {"kind": "registration"})):
            Path(f"/proc/{proc.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
            before = _status(proc.pid)["VmRSS"]
            status = _send(port, mb, params)
            time.sleep(1)
            after = _status(proc.pid)
            result |= {
                f"{name}_status": float(status),
                f"{name}_rss_before_mb": before,
                f"{name}_rss_peak_mb": after["VmHWM"],
                f"{name}_rss_after_mb": after["VmRSS"],
            }
        return result
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        stack.stop()
