"""The demo loader: the seeds' numbers, published through the outbox, loaded once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.registry.demo import load_demo
from services.registry.models import Household, RollupCounter
from shared.db import Database
from shared.tables import outbox

pytestmark = pytest.mark.asyncio


async def _counter(s, prefix, dimension, key):
    row = await s.get(RollupCounter, (prefix, dimension, key))
    return (row.households, row.persons) if row else (0, 0)


async def test_demo_loads_chishui_and_quanzhou_once(make_db):
    db = Database(make_db("registry"), pool_size=2)
    try:
        await load_demo(db)
        async with db.transaction() as s:
            assert await _counter(s, "440783105", "status", "registered") == (325, 915)
            assert await _counter(s, "440783105", "batch", "production_employment") == (71, 251)
            assert await _counter(s, "440783105", "batch", "dibao_floor") == (254, 664)
            assert (await _counter(s, "3505", "status", "registered"))[0] == 96 - 5
            assert (await _counter(s, "3505", "status", "exit_requested"))[0] == 5
            events = dict(
                (await s.execute(select(outbox.c.type, func.count()).group_by(outbox.c.type))).all()
            )
        assert events["registry.household.registered.v1"] == 325 + 96
        assert events["registry.household.exit_requested.v1"] == 5
        assert events["registry.area.upserted.v1"] == 79
        await load_demo(db)  # a second run adds nothing
        async with db.transaction() as s:
            assert (
                int((await s.execute(select(func.count()).select_from(Household))).scalar_one()) == 325 + 96
            )
            assert int((await s.execute(select(func.count()).select_from(outbox))).scalar_one()) == sum(
                events.values()
            )
    finally:
        await db.dispose()
