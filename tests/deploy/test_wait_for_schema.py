"""deploy/k8s/wait_for_schema.py, the init container that holds pods until their migration ran."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from shared.migrations import upgrade

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "wait_for_schema.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wait_for_schema", SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_state() -> None:
    state = load().schema_state
    known = {"a", "b"}
    assert state(heads={"b"}, known=known, current=set()) == "empty"
    assert state(heads={"b"}, known=known, current={"a"}) == "behind"
    assert state(heads={"b"}, known=known, current={"b"}) == "ready"
    # a newer release migrated already (expand/contract): the previous code may run
    assert state(heads={"b"}, known=known, current={"c"}) == "ahead"


def test_waits_for_the_migration_then_passes(stack) -> None:  # type: ignore[no-untyped-def]
    pg = stack.postgres()
    name = f"wait_schema_{os.getpid()}"
    pg.create_database(name)
    url = pg.database_url(name)
    wfs = load()
    assert wfs.wait("funds", url, timeout_s=0, interval_s=0.01) == 1  # empty database: not ready
    upgrade("funds", url)
    assert wfs.wait("funds", url, timeout_s=5, interval_s=0.01) == 0


def test_unreachable_database_times_out() -> None:
    url = "postgresql+asyncpg://nobody:x@127.0.0.1:1/none"
    assert load().wait("registry", url, timeout_s=0, interval_s=0.01) == 1


def test_main_needs_a_service_and_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    wfs = load()
    monkeypatch.delenv("PAIRING_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert wfs.main(["wait_for_schema.py"]) == 2
    assert wfs.main(["wait_for_schema.py", "pairing"]) == 2
