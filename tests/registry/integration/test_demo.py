"""The demo loader: the seeds' numbers, published through the outbox, loaded once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.registry.demo import load_demo
from services.registry.deps import cipher_for
from services.registry.models import Household, Member, RollupCounter
from services.registry.settings import RegistrySettings
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
        async with db.transaction() as s:
            ciphers = (await s.execute(select(Member.resident_id_cipher, Member.name))).all()
            envelopes = " ".join(str(e) for e in (await s.execute(select(outbox.c.envelope))).scalars())
        cipher = cipher_for(RegistrySettings().pii_key)
        assert len(ciphers) == 915 + sum(2 + (v * 3 + h) % 3 for v in range(32) for h in range(3))
        for token, name in ciphers:  # no resident ID and no full name in any published event
            assert cipher.decrypt(token) not in envelopes
            assert f"'{name}'" not in envelopes
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
