"""``make run`` / ``jingzhun up``: the whole system on one machine, each service its own process.

PostgreSQL and NATS come from PyPI packages and keep their data under ``.data/run`` (a second run
reuses it), unless ``DATABASE_URL`` (a server URL; one database per service is created on it) and
``NATS_URL`` point at external servers. Ctrl-C stops everything this started.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from sqlalchemy import func, select

from deploy.local.stack import LocalStack, _die_with_parent
from shared.db import Database, to_async_url
from shared.devtokens import ensure_dev_keys
from shared.migrations import upgrade
from shared.settings import REPO_ROOT
from shared.tables import inbox

__all__ = ["SERVICES", "Runner"]

SERVICES: dict[str, int] = {"registry": 8001, "funds": 8002, "pairing": 8003, "inspection": 8004}


def _with_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def ensure_database(server_url: str, name: str) -> None:
    plain = server_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(_with_database(plain, "postgres"))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


@dataclass
class Runner:
    data_dir: Path = REPO_ROOT / ".data" / "run"
    host: str = "127.0.0.1"
    ports: dict[str, int] | None = None
    load_demo: bool = True

    def __post_init__(self) -> None:
        from_env = {
            svc: int(os.environ[f"{svc.upper()}_HTTP_PORT"])
            for svc in SERVICES
            if os.environ.get(f"{svc.upper()}_HTTP_PORT")
        }
        self.ports = {**SERVICES, **from_env, **(self.ports or {})}
        self.stack: LocalStack | None = None
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    # -- infrastructure -----------------------------------------------------------------------
    def start_infrastructure(self) -> tuple[str, str]:
        server_url = os.environ.get("DATABASE_URL")
        nats_url = os.environ.get("NATS_URL")
        if not server_url or not nats_url:
            self.stack = LocalStack(self.data_dir)
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if not server_url:
                self.stack.start_postgres()
                server_url = self.stack.server_url
                print(f"  postgres   {server_url}  (data: {self.stack.pg_dir})")
            if not nats_url:
                self.stack.start_nats()
                nats_url = self.stack.nats_url
                print(f"  nats       {nats_url}  (JetStream store: {self.stack.nats_dir})")
        return server_url, nats_url

    def database_urls(self, server_url: str) -> dict[str, str]:
        return {svc: to_async_url(_with_database(server_url, f"jingzhun_{svc}")) for svc in SERVICES}

    def migrate(self, urls: dict[str, str]) -> None:
        for svc, url in urls.items():
            asyncio.run(ensure_database(url, f"jingzhun_{svc}"))
            upgrade(svc, url)

    # -- services -----------------------------------------------------------------------------
    def spawn(self, urls: dict[str, str], nats_url: str, public_key: Path) -> None:
        assert self.ports is not None
        for svc, port in self.ports.items():
            prefix = svc.upper()
            env = {
                **os.environ,
                f"{prefix}_DATABASE_URL": urls[svc],
                f"{prefix}_NATS_URL": nats_url,
                f"{prefix}_JWT_PUBLIC_KEY_PATH": str(public_key),
                f"{prefix}_HTTP_PORT": str(port),
            }
            cmd = [
                sys.executable, "-m", "uvicorn", f"services.{svc}.app:create_app", "--factory",
                "--host", self.host, "--port", str(port), "--no-access-log",
            ]
            self.procs[svc] = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, preexec_fn=_die_with_parent)

    def wait_ready(self, timeout_s: float = 60.0) -> dict[str, float]:
        assert self.ports is not None
        started, ready = time.monotonic(), {}
        pending = dict(self.ports)
        with httpx.Client(timeout=2.0) as client:
            while pending and time.monotonic() - started < timeout_s:
                for svc, port in list(pending.items()):
                    if self.procs[svc].poll() is not None:
                        raise RuntimeError(f"{svc} exited with code {self.procs[svc].returncode}")
                    try:
                        if client.get(f"http://{self.host}:{port}/health/ready").status_code == 200:
                            ready[svc] = time.monotonic() - started
                            del pending[svc]
                    except httpx.HTTPError:
                        pass
                time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not ready after {timeout_s}s: {', '.join(pending)}")
        return ready

    # -- demo data ----------------------------------------------------------------------------
    async def _load_demo(self, urls: dict[str, str]) -> None:
        for svc in SERVICES:
            try:
                module = importlib.import_module(f"services.{svc}.demo")
            except ModuleNotFoundError:
                continue
            db = Database(urls[svc], pool_size=2)
            try:
                await module.load_demo(db)
                print(f"  demo data  {svc}: loaded")
            finally:
                await db.dispose()
            await self._settle(urls)

    async def _settle(self, urls: dict[str, str], quiet_s: float = 2.0, limit_s: float = 60.0) -> None:
        """Wait until the consumers stop handling events (the projections have caught up)."""
        dbs = [Database(url, pool_size=1) for url in urls.values()]
        try:
            last, quiet_since, started = -1, time.monotonic(), time.monotonic()
            while time.monotonic() - started < limit_s:
                total = 0
                for db in dbs:
                    async with db.transaction() as s:
                        total += int((await s.execute(select(func.count()).select_from(inbox))).scalar_one())
                if total != last:
                    last, quiet_since = total, time.monotonic()
                elif time.monotonic() - quiet_since >= quiet_s:
                    return
                await asyncio.sleep(0.3)
        finally:
            for db in dbs:
                await db.dispose()

    # -- lifecycle ----------------------------------------------------------------------------
    def run(self) -> int:
        print("Jingzhun: starting the local stack")
        _, public_key = ensure_dev_keys()
        stop = {"now": False}

        def _stop(signum: int, _frame: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        try:
            server_url, nats_url = self.start_infrastructure()
            urls = self.database_urls(server_url)
            self.migrate(urls)
            self.spawn(urls, nats_url, public_key)
            ready = self.wait_ready()
            print("  ready in   " + ", ".join(f"{s} {t:.1f}s" for s, t in ready.items()))
            if self.load_demo:
                asyncio.run(self._load_demo(urls))
            self._banner()
            # From here Ctrl-C is a request to stop, not an exception in the middle of a step.
            signal.signal(signal.SIGINT, _stop)
            while not stop["now"]:
                time.sleep(0.5)
                for svc, proc in self.procs.items():
                    if proc.poll() is not None and not stop["now"]:
                        print(f"{svc} exited with code {proc.returncode}; stopping everything")
                        return 1
            return 0
        except KeyboardInterrupt:
            return 0
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave orphans
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.stack is not None:
            self.stack.stop()
        print("Jingzhun: stopped")

    def _banner(self) -> None:
        assert self.ports is not None
        print("\nJingzhun is running:")
        for svc, port in self.ports.items():
            print(f"  {svc:<11} http://{self.host}:{port}/{svc}/v1   docs http://{self.host}:{port}/docs")
        print(
            "\nGet a development token:\n"
            "  .venv/bin/jingzhun token --role registrar --area 440783000000\n"
            "Then: curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8001/registry/v1/...\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
