"""``make run`` / ``jingzhun up``: the whole system on one machine, each service its own process.

PostgreSQL and NATS come from PyPI packages and keep their data under ``.data/run`` (a second run
reuses it), unless ``DATABASE_URL`` (a server URL; one database per service is created on it) and
``NATS_URL`` point at external servers. Ctrl-C stops everything this started.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from sqlalchemy import func, select

from deploy.local import demo
from deploy.local.stack import LocalStack, _die_with_parent
from shared.clock import clock
from shared.db import Database, to_async_url
from shared.devtokens import ensure_dev_keys
from shared.migrations import upgrade
from shared.settings import REPO_ROOT
from shared.tables import inbox

__all__ = ["SERVICES", "STATUS_FILE", "Runner", "Supervised", "demo_enabled"]

SERVICES: dict[str, int] = {"registry": 8001, "funds": 8002, "pairing": 8003, "inspection": 8004}
STATUS_FILE = "status.json"  # under the data folder: what `jingzhun status` reads
# A crashed service is started again after 1, 2, 4, 8, 16 s; the fifth crash within five minutes
# means it will not stay up (a broken migration, a port taken): then everything stops.
RESTART_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0)
MAX_FAILURES, FAILURE_WINDOW_S = 5, 300.0


def demo_enabled() -> bool:
    """``JINGZHUN_DEMO=false`` starts an empty system (as ``jingzhun up --no-demo`` does)."""
    return os.environ.get("JINGZHUN_DEMO", "true").strip().lower() not in ("0", "false", "no", "off")


@dataclass
class Supervised:
    """One service process under the runner, with what it takes to start it again."""

    cmd: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    failures: list[float] = field(default_factory=list)  # monotonic times of recent crashes
    last_exit: int | None = None
    restart_at: float | None = None  # monotonic time of the next start, while backing off

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=REPO_ROOT, preexec_fn=_die_with_parent)
        self.restart_at = None

    @property
    def state(self) -> str:
        if self.restart_at is not None:
            return "restarting"
        return "running" if self.proc is not None and self.proc.poll() is None else "stopped"


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
    status_every_s: float = 2.0
    # uvicorn worker processes per service (`make run WORKERS=n`, `jingzhun up --workers n`, or
    # WEB_CONCURRENCY, which uvicorn itself reads in the containers); each is a full replica.
    workers: int = 0

    def __post_init__(self) -> None:
        self.workers = self.workers or int(os.environ.get("WEB_CONCURRENCY") or 1)
        from_env = {
            svc: int(os.environ[f"{svc.upper()}_HTTP_PORT"])
            for svc in SERVICES
            if os.environ.get(f"{svc.upper()}_HTTP_PORT")
        }
        self.ports = {**SERVICES, **from_env, **(self.ports or {})}
        self.stack: LocalStack | None = None
        self.services: dict[str, Supervised] = {}
        self.urls: dict[str, str] = {}
        self.nats_url: str | None = None  # in the status file: where `jingzhun deadletter` finds NATS
        self.demo_state = "off"
        self.demo_detail = ""
        self._status_written = 0.0
        self._stopping = False

    @property
    def procs(self) -> dict[str, subprocess.Popen[bytes]]:
        return {svc: s.proc for svc, s in self.services.items() if s.proc is not None}

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
                "--host", self.host, "--port", str(port), "--no-access-log", "--workers", str(self.workers),
            ]
            if self.workers > 1:  # /metrics then adds up every worker's counters (shared/observability.py)
                metrics_dir = self.data_dir / "metrics" / svc
                shutil.rmtree(metrics_dir, ignore_errors=True)
                metrics_dir.mkdir(parents=True)
                env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
            self.services[svc] = Supervised(cmd=cmd, env=env)
            self.services[svc].start()

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
    def _demo_in_background(self, urls: dict[str, str]) -> threading.Thread | None:
        """Load the demo once (skipped when an earlier start loaded it) while the services serve."""
        earlier = asyncio.run(demo.states(urls))
        if all(earlier.values()):
            how = "removed by `jingzhun demo reset`" if "removed" in earlier.values() else "loaded"
            self.demo_state, self.demo_detail = how.split()[0], "on an earlier start"
            print(f"  demo data  {how} on an earlier start: not loaded again")
            return None

        def load() -> None:
            started = time.monotonic()
            try:
                loaded = asyncio.run(demo.load_once(urls, settle=self._settle, log=print))
            except Exception as exc:  # the services keep running; the banner says what happened
                if self._stopping:
                    return
                self.demo_state, self.demo_detail = "failed", repr(exc)
                print(f"  demo data  FAILED: {exc!r}", flush=True)
            else:
                took = time.monotonic() - started
                if loaded:
                    self.demo_state, self.demo_detail = "loaded", f"in {took:.0f}s"
                    print(f"\nJingzhun: demo data loaded in {took:.0f}s; the figures are complete now.\n",
                          flush=True)
                else:
                    self.demo_state, self.demo_detail = "loaded", "on an earlier start"
                    print("  demo data  already loaded on an earlier start: skipped", flush=True)
            self.write_status()

        self.demo_state, self.demo_detail = "loading", f"started {clock.local(datetime.now(UTC)):%H:%M:%S}"
        if unfinished := asyncio.run(demo.interrupted(urls)):  # stopped part way on an earlier start
            self.demo_detail += f", finishing the load stopped on an earlier start ({', '.join(unfinished)})"
        thread = threading.Thread(target=load, name="demo-loader", daemon=True)
        thread.start()
        return thread

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

    # -- supervision --------------------------------------------------------------------------
    def supervise(self) -> bool:
        """Start crashed services again with backoff; False when one keeps crashing (stop all)."""
        now = time.monotonic()
        changed = False
        for svc, sup in self.services.items():
            if sup.restart_at is not None:
                if now >= sup.restart_at:
                    sup.restarts += 1
                    sup.start()
                    pid = sup.proc.pid if sup.proc else "?"
                    print(f"  restarted  {svc} (restart {sup.restarts}, pid {pid})", flush=True)
                    changed = True
                continue
            if sup.proc is None or sup.proc.poll() is None:
                continue
            sup.last_exit = sup.proc.returncode
            sup.failures = [t for t in sup.failures if now - t < FAILURE_WINDOW_S] + [now]
            if len(sup.failures) >= MAX_FAILURES:
                print(
                    f"{svc} exited with code {sup.last_exit}, its {len(sup.failures)}th crash within "
                    f"{FAILURE_WINDOW_S:.0f}s; stopping everything",
                    flush=True,
                )
                return False
            delay = RESTART_BACKOFF_S[min(len(sup.failures), len(RESTART_BACKOFF_S)) - 1]
            sup.restart_at = now + delay
            print(f"  crashed    {svc} exited with code {sup.last_exit}; starting it again in {delay:.0f}s",
                  flush=True)
            changed = True
        if changed:
            self._status_line()
        if changed or now - self._status_written >= self.status_every_s:
            self.write_status()
        return True

    def _status_line(self) -> None:
        parts = []
        for svc, sup in self.services.items():
            crashed = sup.restarts or sup.restart_at is not None
            extra = f" (restarted {sup.restarts}x, last exit {sup.last_exit})" if crashed else ""
            parts.append(f"{svc} {sup.state}{extra}")
        print("  services   " + ", ".join(parts), flush=True)

    def status(self) -> dict[str, object]:
        assert self.ports is not None
        return {
            "runner_pid": os.getpid(),
            "updated_at": clock.local(datetime.now(UTC)).isoformat(timespec="seconds"),  # China time
            "demo": {"state": self.demo_state, "detail": self.demo_detail},
            "database_urls": self.urls,
            "nats_url": self.nats_url,
            "services": {
                svc: {
                    "state": sup.state,
                    "pid": sup.proc.pid if sup.proc is not None else None,
                    "port": self.ports[svc],
                    "restarts": sup.restarts,
                    "last_exit": sup.last_exit,
                }
                for svc, sup in self.services.items()
            },
        }

    def write_status(self) -> None:
        self._status_written = time.monotonic()
        path = self.data_dir / STATUS_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.status(), indent=2))
            tmp.chmod(0o600)  # the database URLs may carry a password (DATABASE_URL)
            tmp.replace(path)
        except OSError:
            pass

    # -- lifecycle ----------------------------------------------------------------------------
    def running_elsewhere(self) -> int | None:
        """The pid of another `jingzhun up` still running on this data folder (its status file names
        it and the process lives), else None: a second start would fail on the folder's PostgreSQL."""
        try:
            pid = int(json.loads((self.data_dir / STATUS_FILE).read_text())["runner_pid"])
            os.kill(pid, 0)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # no status file, an unreadable one, or its runner is gone
        return pid if pid != os.getpid() else None

    def run(self) -> int:
        other = self.running_elsewhere()
        if other is not None:
            print(
                f"Jingzhun is already running from {self.data_dir} (runner pid {other}): "
                f"`jingzhun status` shows it; stop it first (Ctrl-C where it runs, or kill -INT {other})",
                file=sys.stderr,
            )
            return 1
        print("Jingzhun: starting the local stack")
        _, public_key = ensure_dev_keys()
        stop = {"now": False}

        def _stop(signum: int, _frame: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        try:
            server_url, nats_url = self.start_infrastructure()
            urls = self.urls = self.database_urls(server_url)
            self.nats_url = nats_url
            self.migrate(urls)
            self.spawn(urls, nats_url, public_key)
            ready = self.wait_ready()
            print("  ready in   " + ", ".join(f"{s} {t:.1f}s" for s, t in ready.items()))
            if self.load_demo:
                self._demo_in_background(urls)
            self.write_status()
            self._banner()
            # From here Ctrl-C is a request to stop, not an exception in the middle of a step.
            signal.signal(signal.SIGINT, _stop)
            while not stop["now"]:
                time.sleep(0.5)
                if not stop["now"] and not self.supervise():
                    return 1
            return 0
        except KeyboardInterrupt:
            return 0
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self._stopping = True
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
        (self.data_dir / STATUS_FILE).unlink(missing_ok=True)
        print("Jingzhun: stopped")

    def _banner(self) -> None:
        assert self.ports is not None
        print("\nJingzhun is running:")
        for svc, port in self.ports.items():
            print(f"  {svc:<11} http://{self.host}:{port}/{svc}/v1   docs http://{self.host}:{port}/docs")
        print(
            "\nGet a development token:\n"
            "  .venv/bin/jingzhun token --role registrar --area 440783000000\n"
            f"Then: curl -H \"Authorization: Bearer $TOKEN\" http://{self.host}:{self.ports['registry']}/registry/v1/...\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        if self.demo_state == "loading":
            print(
                f"Demo data: LOADING in the background (about {demo.TYPICAL_LOAD_S // 60} minutes, longer\n"
                "on a busy machine). Until 'demo data loaded' is printed, the README's figures grow.\n"
                "`jingzhun status` shows the demo's state and each service's restarts.\n",
                flush=True,
            )
        elif not self.load_demo:
            print("Demo data: off (an empty system; `jingzhun up` without --no-demo loads it).\n", flush=True)
