"""The funds demo on top of the real registry demo: the registry's own events, in order, through
the funds handlers (as the consumer would deliver them), then the funds loader."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.funds.demo import load_demo as load_funds_demo
from services.funds.models import Plan
from services.registry.demo import load_demo as load_registry_demo
from shared.db import Database
from shared.events import CloudEvent
from shared.money import yuan
from shared.tables import outbox
from tests.funds.integration.factories import deliver

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def test_funds_demo_on_the_registry_demo(make_db) -> None:  # type: ignore[no-untyped-def]
    registry, funds = Database(make_db("registry")), Database(make_db("funds"))
    try:
        await load_registry_demo(registry)
        async with registry.transaction() as s:
            envelopes = list((await s.execute(select(outbox.c.envelope).order_by(outbox.c.seq))).scalars())
        for envelope in envelopes:
            await deliver(funds, CloudEvent.model_validate(envelope))
        await load_funds_demo(funds)

        async with funds.transaction() as s:
            plans = {p.scheme_code: p for p in (await s.execute(select(Plan))).scalars()}
        chishui = plans["kaiping-per-capita-2016"]
        assert (chishui.people, chishui.total_fen) == (251, yuan(5_020_000))
        # the registry's demo has 28 city-, 2 province- and 2 county-dispatched Quanzhou villages
        assert plans["quanzhou-village-grants-2018"].total_fen == yuan(14_000_000 + 4 * 200_000)
    finally:
        await registry.dispose()
        await funds.dispose()
