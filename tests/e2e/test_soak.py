"""A bounded soak (slow suite): mixed traffic for JINGZHUN_SOAK_S seconds (default 600) with a
kill -9 every JINGZHUN_SOAK_FAULT_EVERY_S (default 60), rotating through nats-server, a service
(each of the four in turn) and PostgreSQL; then the same checks as tests/e2e/test_faults.py.

    JINGZHUN_SOAK_S=180 .venv/bin/pytest -s -m slow tests/e2e/test_soak.py
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time

import pytest

from tests.e2e.faults import SERVICES, Stream, faults

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOAK_S = float(os.environ.get("JINGZHUN_SOAK_S", "600"))
FAULT_EVERY_S = float(os.environ.get("JINGZHUN_SOAK_FAULT_EVERY_S", "60"))
DOWN_S = 5.0


@pytest.fixture
def system_env() -> dict[str, str]:
    return {f"{svc.upper()}_RATE_LIMIT_SEARCH_PER_MINUTE": "0" for svc in SERVICES}


@pytest.fixture
def system_database_settings() -> dict[str, str]:
    return {"synchronous_commit": "on"}  # every answered commit on disk (see test_faults.py)


def test_soak_with_a_fault_every_minute(system, stack) -> None:  # type: ignore[no-untyped-def]
    stream = Stream(system, workers=4)
    asyncio.run(stream.setup())
    every = faults(system, stack.stack, DOWN_S)
    rotation = itertools.cycle(
        ["nats", "registry", "postgres", "funds", "nats", "pairing", "postgres", "inspection"]
    )
    started = time.monotonic()
    last_fault = started
    stream.start()
    try:
        while time.monotonic() - started + FAULT_EVERY_S <= SOAK_S:
            time.sleep(
                max(0.0, started + FAULT_EVERY_S * (len(stream.figures.faults) + 1) - time.monotonic())
            )
            stream.figures.faults.append(every[next(rotation)]())
            last_fault = time.monotonic()
        time.sleep(max(0.0, started + SOAK_S - time.monotonic()))
    finally:
        stream.stop()
    asyncio.run(stream.check(drain_from=last_fault, drain_limit_s=300))
    print("\n" + stream.figures.report(f"soak of {SOAK_S:.0f}s"))
    assert stream.figures.faults, "the soak was shorter than one fault interval"
