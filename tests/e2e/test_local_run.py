"""`make run`'s runner as a user sees it: four processes ready within 60 s, Ctrl-C leaves nothing,
a killed service comes back on its own (and `jingzhun status` counts it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deploy.local.stack import free_port

pytestmark = pytest.mark.e2e
SERVICES = ("registry", "funds", "pairing", "inspection")


def _processes_using(path: Path) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in cmdline:
            found.append(f"{pid}: {cmdline[:120]}")
    return found


def _start(
    data_dir: Path, ports: dict[str, int], *, demo: bool = False, output: Path | None = None
) -> subprocess.Popen[bytes]:
    """``jingzhun up``; its output (and the services') goes to ``output`` (a pipe could fill up)."""
    env = {**os.environ, **{f"{s.upper()}_HTTP_PORT": str(p) for s, p in ports.items()}}
    env.pop("DATABASE_URL", None)
    env.pop("NATS_URL", None)
    out = open(output or data_dir.parent / "runner.log", "ab")  # noqa: SIM115 - the child keeps it
    cli = [sys.executable, "-m", "deploy.cli"]
    return subprocess.Popen(
        [*cli, "up", "--demo" if demo else "--no-demo", "--data-dir", str(data_dir)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )


def _output(data_dir: Path) -> str:
    return (data_dir.parent / "runner.log").read_text(errors="replace")


def _wait_ready(ports: dict[str, int], proc: subprocess.Popen[bytes], timeout_s: float = 60) -> float:
    started = time.monotonic()
    pending = set(ports)
    while pending and time.monotonic() - started < timeout_s:
        assert proc.poll() is None, "the runner died"
        for svc in list(pending):
            try:
                r = httpx.get(f"http://127.0.0.1:{ports[svc]}/health/ready?full=1", timeout=1)
                if r.status_code == 200 and r.json()["checks"] == {"database": "ok", "nats": "ok"}:
                    pending.discard(svc)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    assert not pending, f"not ready within {timeout_s}s: {pending}"
    return time.monotonic() - started


def _status(data_dir: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((data_dir / "status.json").read_text())  # type: ignore[no-any-return]


def _jingzhun(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _ctrl_c(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)


def test_run_is_ready_within_60s_and_ctrl_c_leaves_no_process(tmp_path: Path) -> None:
    data_dir = tmp_path / "run"
    ports = {s: free_port() for s in SERVICES}
    proc = _start(data_dir, ports)
    try:
        elapsed = _wait_ready(ports, proc)
        assert elapsed < 60
        for svc, port in ports.items():
            assert httpx.get(f"http://127.0.0.1:{port}/{svc}/v1/openapi.json").status_code == 200

        # kill -9 of one service: the runner starts it again; the other three keep serving
        killed = _status(data_dir)["services"]["pairing"]["pid"]
        os.kill(killed, signal.SIGKILL)
        back = time.monotonic()
        while time.monotonic() - back < 60:
            assert proc.poll() is None, "the runner stopped everything after one crash"
            run = _status(data_dir)["services"]["pairing"]
            if run["pid"] != killed and run["state"] == "running":
                try:
                    ready = httpx.get(f"http://127.0.0.1:{ports['pairing']}/health/ready", timeout=1)
                    if ready.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        else:
            raise AssertionError("pairing did not come back within 60 s")
        assert (run["restarts"], run["last_exit"]) == (1, -9)
        for svc in ("registry", "funds", "inspection"):
            assert _status(data_dir)["services"][svc]["restarts"] == 0
        status = _jingzhun("status", "--data-dir", str(data_dir))
        assert status.returncode == 0, status.stderr
        line = next(ln for ln in status.stdout.splitlines() if ln.startswith("pairing"))
        assert line.split()[1:] == ["running", str(run["pid"]), str(ports["pairing"]), "1", "-9", "yes"]
        assert "demo data: off" in status.stdout
    finally:
        _ctrl_c(proc)
    time.sleep(0.5)
    assert _processes_using(data_dir) == [], "postgres or nats-server outlived Ctrl-C"
    assert "restarted  pairing (restart 1" in _output(data_dir)
    assert "not running" in _jingzhun("status", "--data-dir", str(data_dir)).stdout

    # A second run reuses the data folder (no second initdb) and comes up again.
    marker = data_dir / "pg" / "data" / "PG_VERSION"
    first_init = marker.stat().st_mtime
    proc = _start(data_dir, ports)
    try:
        _wait_ready(ports, proc)
        assert marker.stat().st_mtime == first_init
    finally:
        _ctrl_c(proc)
    time.sleep(0.5)
    assert _processes_using(data_dir) == []
