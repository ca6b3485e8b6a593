"""What `make run` prints once the services are up: the addresses the services really listen on."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.local.runner import Runner


def test_the_banner_names_the_ports_the_services_were_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With REGISTRY_HTTP_PORT=18101 the curl example used to point at :8001, where nothing (or another
    team's stack) listens."""
    ports = {"registry": 18101, "funds": 18102, "pairing": 18103, "inspection": 18104}
    Runner(data_dir=tmp_path, ports=ports)._banner()

    printed = capsys.readouterr().out
    (then,) = [line for line in printed.splitlines() if line.startswith("Then: curl")]
    assert "http://127.0.0.1:18101/registry/v1/" in then
    assert ":8001" not in printed


def test_the_example_request_names_the_registry_port_chosen(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a second `make run` beside another one: REGISTRY_HTTP_PORT=9101 (README)
    monkeypatch.setenv("REGISTRY_HTTP_PORT", "9101")
    Runner(load_demo=False)._banner()
    out = capsys.readouterr().out
    assert "http://127.0.0.1:9101/registry/v1/..." in out
    assert ":8001" not in out
