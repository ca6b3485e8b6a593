"""The demo loader: the seeds' numbers, published through the outbox, loaded once."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from sqlalchemy import func, select

from services.registry.demo import load_demo
from services.registry.models import Household, Member, RollupCounter
from services.registry.rollups import service as rollup_service
from services.registry.settings import RegistrySettings
from shared.auth import Principal
from shared.db import Database
from shared.tables import outbox

pytestmark = pytest.mark.asyncio
QUANZHOU_READER = Principal(sub="t", roles=frozenset({"auditor"}), area_code="350500000000", name=None)


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
        cipher = RegistrySettings().pii_cipher()
        assert len(ciphers) == 915 + sum(2 + (v * 3 + h) % 3 for v in range(32) for h in range(3))
        for token, name in ciphers:  # no resident ID and no full name in any published event
            assert cipher.decrypt(token) not in envelopes
            assert f"'{name}'" not in envelopes
        async with db.transaction() as s:  # 32 pairing villages, 2018 incomes cycling by five
            weak = await rollup_service.weak_villages(
                session=s, actor=QUANZHOU_READER, code="350500000000", year=2018, cursor=None, limit=200
            )
        # 7 at exactly 10,000.00 and 7 at 9,999.99 are weak (1万元以下); 6 + 6 above; 6 unknown
        assert asdict(weak.totals) == {
            "villages": 32,
            "weak": 14,
            "not_weak": 12,
            "unknown": 6,
            "no_threshold": 0,
            "gap_fen": 7 * 1 + 7 * 2,
        }
        assert {k.area_code: k.weak for k in weak.children if k.villages} == {
            "350524000000": 4,  # villages 0, 1, 5, 6 of Anxi's twelve
            "350525000000": 3,
            "350526000000": 5,
            "350583000000": 2,
        }
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
