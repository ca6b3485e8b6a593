"""A second `make run` on a folder where one is running says so and touches nothing (it used to end in a
PostgreSQL traceback, "Is another postmaster running", and deleted the running one's status file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local.runner import STATUS_FILE, Runner


def _status(path: Path, pid: int) -> str:
    text = json.dumps({"runner_pid": pid, "updated_at": "2026-12-06T04:23:23+08:00", "services": {}})
    (path / STATUS_FILE).write_text(text)
    return text


def test_a_second_start_names_the_running_one_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        written = _status(tmp_path, first.pid)
        runner = Runner(load_demo=False)
        runner.data_dir = tmp_path
        assert runner.run() == 1
        said = capsys.readouterr()
        assert f"already running from {tmp_path} (runner pid {first.pid})" in said.err
        assert f"kill -INT {first.pid}" in said.err
        assert "starting the local stack" not in said.out
        assert (tmp_path / STATUS_FILE).read_text() == written  # the running one's status is kept
        assert runner.stack is None  # no PostgreSQL or NATS was started
    finally:
        first.kill()
        first.wait()


def test_a_status_left_by_a_dead_runner_does_not_stop_a_start(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _status(tmp_path, gone.pid)
    runner = Runner(load_demo=False)
    runner.data_dir = tmp_path
    assert runner.running_elsewhere() is None
    (tmp_path / STATUS_FILE).write_text("not json")
    assert runner.running_elsewhere() is None
