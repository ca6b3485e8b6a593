"""The four services as separate OS processes (uvicorn), on the suite's PostgreSQL and NATS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from deploy.local.stack import free_port
from shared.settings import REPO_ROOT
from tests.support import TEST_PUBLIC_KEY

SERVICES = ("registry", "funds", "pairing", "inspection")


@dataclass
class System:
    ports: dict[str, int]
    database_urls: dict[str, str]
    nats_url: str
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    commands: dict[str, tuple[list[str], dict[str, str], Path]] = field(default_factory=dict)

    def start(self, service: str) -> None:
        cmd, env, log_path = self.commands[service]
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.procs[service] = subprocess.Popen(
            cmd, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self, service: str) -> None:
        """kill -9: no shutdown hook runs, requests in flight are cut off."""
        self.procs[service].kill()
        self.procs[service].wait(timeout=15)

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}/{service}/v1{path}"

    def wait_ready(self, timeout_s: float = 180) -> None:  # a loaded machine starts slowly
        deadline = time.monotonic() + timeout_s
        pending = set(self.ports)
        while pending and time.monotonic() < deadline:
            for svc in list(pending):
                assert self.procs[svc].poll() is None, f"{svc} died at start"
                try:
                    r = httpx.get(f"http://127.0.0.1:{self.ports[svc]}/health/ready", timeout=1)
                    if r.status_code == 200:
                        pending.discard(svc)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        assert not pending, f"not ready: {pending}"

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def system_env() -> dict[str, str]:
    """Extra environment of the four processes (a test module may override this fixture)."""
    return {}


@pytest.fixture
def system_database_settings() -> dict[str, str]:
    """PostgreSQL settings of the four databases (``ALTER DATABASE … SET``), before they connect."""
    return {}


@pytest.fixture
def system(  # type: ignore[no-untyped-def]
    make_db, nats_url, tmp_path, system_env, system_database_settings, stack
) -> Iterator[System]:
    sys_ = System(
        ports={s: free_port() for s in SERVICES},
        database_urls={s: make_db(s) for s in SERVICES},
        nats_url=nats_url,
    )
    for url in sys_.database_urls.values():
        for name, value in system_database_settings.items():
            stack.stack.psql(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" SET {name} = {value}')
    logs = tmp_path / "logs"
    logs.mkdir()
    for svc in SERVICES:
        prefix = svc.upper()
        env = {
            **os.environ,
            f"{prefix}_DATABASE_URL": sys_.database_urls[svc],
            f"{prefix}_NATS_URL": nats_url,
            f"{prefix}_JWT_PUBLIC_KEY_PEM": TEST_PUBLIC_KEY,
            f"{prefix}_LOG_LEVEL": "WARNING",
            **system_env,
        }
        cmd = [sys.executable, "-m", "uvicorn", f"services.{svc}.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(sys_.ports[svc]), "--no-access-log"]
        sys_.commands[svc] = (cmd, env, logs / f"{svc}.log")
        sys_.start(svc)
    try:
        sys_.wait_ready()
        yield sys_
    finally:
        sys_.stop()
