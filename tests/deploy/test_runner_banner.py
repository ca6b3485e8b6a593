"""The runner's banner: the example request goes to the port the registry really listens on."""

from __future__ import annotations

import pytest

from deploy.local.runner import Runner


def test_the_example_request_names_the_registry_port_chosen(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a second `make run` beside another one: REGISTRY_HTTP_PORT=9101 (README)
    monkeypatch.setenv("REGISTRY_HTTP_PORT", "9101")
    Runner(load_demo=False)._banner()
    out = capsys.readouterr().out
    assert "http://127.0.0.1:9101/registry/v1/..." in out
    assert ":8001" not in out
