"""`jingzhun deadletter` on a machine running `make run` finds that run's NATS without --nats-url.

`jingzhun up` starts nats-server on a port it picks; the commands read it from the run's status file.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from deploy.local.runner import STATUS_FILE, Runner


@pytest.mark.asyncio
async def test_deadletter_list_uses_the_nats_of_the_running_make_run(
    nats_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NATS_URL", "REGISTRY_NATS_URL", "JINGZHUN_NATS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert not nats_url.endswith(":4222")
    runner = Runner(load_demo=False)
    runner.data_dir = tmp_path
    runner.ports = {"registry": 8001}
    runner.nats_url = nats_url
    monkeypatch.setattr(Runner, "data_dir", tmp_path)  # where the commands look for a running `jingzhun up`
    runner.write_status()
    assert json.loads((tmp_path / STATUS_FILE).read_text())["nats_url"] == nats_url

    for args in (["deadletter", "list"], ["deadletter", "list", "--service", "registry"]):
        result = await asyncio.to_thread(CliRunner().invoke, cli, args)
        assert result.exit_code == 0, result.output
        assert "no dead-lettered events" in result.output

    # an explicit server still wins
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["deadletter", "list", "--nats-url", "nats://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "cannot reach NATS at nats://127.0.0.1:1" in result.output


def test_status_left_by_a_killed_runner_is_not_taken_for_a_running_one(tmp_path: Path) -> None:
    """kill -9 of `jingzhun up` (or a reboot) leaves its status file; `jingzhun status` says not running."""
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / STATUS_FILE).write_text(json.dumps({
        "runner_pid": dead.pid, "updated_at": "2026-12-05T01:42:22+0000",
        "demo": {"state": "loaded", "detail": ""}, "database_urls": {}, "nats_url": "nats://127.0.0.1:1",
        "services": {
            "registry": {"state": "running", "pid": dead.pid, "port": 1, "restarts": 0, "last_exit": None}
        },
    }))
    result = CliRunner().invoke(cli, ["status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("not running")
    assert "registry    running" not in result.output


def test_status_says_when_the_runner_wrote_in_china_time(tmp_path: Path) -> None:
    """`jingzhun status` on a host whose clock is in UTC said "updated 2026-12-05T01:42:22+0000";
    it says the time as every answer does, in China time: 09:42:22+08:00."""
    import os

    (tmp_path / STATUS_FILE).write_text(json.dumps({
        "runner_pid": os.getpid(), "updated_at": "2026-12-05T01:42:22+0000",
        "demo": {"state": "loaded", "detail": ""}, "database_urls": {}, "nats_url": "nats://127.0.0.1:1",
        "services": {},
    }))
    result = CliRunner().invoke(cli, ["status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"runner pid {os.getpid()}, updated 2026-12-05T09:42:22+08:00" in result.output
