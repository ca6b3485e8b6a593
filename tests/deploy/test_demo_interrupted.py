"""A start stopped while the demo loads (Ctrl-C) leaves no "loaded" mark: the next start finishes
the demo, marks it loaded only then, and leaves a household the user registered in between as it was.

The registry's loader runs through the runner's ``load_once`` against a real database; the other
services are left out (their loads are each one transaction or rerun-safe steps, see
tests/deploy/test_demo_once.py for all four together).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from deploy.local import demo
from services.registry.identification import service as identification
from services.registry.models import Household, RollupCounter
from tests.deploy.test_demo_once import _count, _user_registers_a_household

pytestmark = pytest.mark.asyncio
STOP_AFTER = 40  # households registered when the user presses Ctrl-C


class Stopped(BaseException):
    """What Ctrl-C does to the loader: it stops part way through a household's transaction."""


def _status(prefix: str, status: str):  # type: ignore[no-untyped-def]
    """The households counted under ``prefix`` with ``status`` (the figures a user sees)."""
    c = RollupCounter
    return select(c.households).where(c.area_prefix == prefix, c.dimension == "status", c.key == status)


async def _no_consumers(urls: dict[str, str]) -> None:
    return None


async def test_a_start_stopped_while_loading_is_finished_by_the_next_and_only_then_marked_loaded(
    make_db, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    urls = {"registry": make_db("registry")}
    monkeypatch.setattr(demo, "SERVICE_NAMES", ("registry",))
    register, calls = identification.register, 0

    async def stopped_part_way(**kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls > STOP_AFTER:  # this household's transaction is rolled back whole
            raise Stopped
        return await register(**kwargs)

    monkeypatch.setattr(identification, "register", stopped_part_way)
    log: list[str] = []
    with pytest.raises(Stopped):
        await demo.load_once(urls, settle=_no_consumers, log=log.append)
    monkeypatch.setattr(identification, "register", register)
    households = select(func.count()).select_from(Household)
    assert await _count(urls["registry"], households) == STOP_AFTER
    assert await demo.states(urls) == {"registry": None}  # not "loaded on an earlier start"
    assert await demo.interrupted(urls) == ["registry"]  # `jingzhun status` says it is finishing

    # Between the two starts a user registers a household of their own, in a demo village.
    own = await _user_registers_a_household(urls["registry"])
    own_version = select(Household.version).where(Household.id == uuid.UUID(own))
    version = await _count(urls["registry"], own_version)

    assert await demo.load_once(urls, settle=_no_consumers, log=log.append) is True
    assert "  demo data  registry: finishing the load stopped on an earlier start" in log
    assert log[-1] == "  demo data  registry: loaded"
    assert await demo.states(urls) == {"registry": "loaded"}
    assert await demo.interrupted(urls) == []
    assert await _count(urls["registry"], households) == 325 + 96 + 1  # the whole demo, once
    assert await _count(urls["registry"], own_version) == version
    assert await _count(urls["registry"], _status("440783105", "registered")) == 325 + 1  # and the user's
    assert await _count(urls["registry"], _status("3505", "exit_requested")) == 5

    # The user's household is not demo data: `demo reset` leaves it, and only it.
    removed = await demo.remove(urls)
    assert removed["registry"]["household"] == 325 + 96
    assert await _count(urls["registry"], households) == 1
    assert await _count(urls["registry"], own_version) == version  # never written by the demo
