"""The demo loader on a projection like the registry's demo: the seeds' numbers, loaded once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.funds.demo import load_demo
from services.funds.models import Account, Disbursement, Plan
from shared.db import Database
from shared.money import yuan
from tests.funds.integration.factories import CHISHUI_SIZES, deliver, registered, registry_event

pytestmark = pytest.mark.asyncio


async def test_demo_reproduces_the_seeds_and_is_idempotent(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    try:
        for i, size in enumerate(CHISHUI_SIZES):
            await deliver(db, registered(f"hh-{i:03d}", size, area=f"44078310520{1 + i % 7}"))
        for i in range(5):  # allowance-floor households: registered, not counted by the Kaiping scheme
            await deliver(db, registered(f"floor-{i}", 2, batches=("dibao_floor",)))
        for i in range(30):
            code = f"3505241{i:05d}"
            await deliver(
                db,
                registry_event(
                    "registry.area.upserted.v1",
                    code,
                    {
                        "code": code,
                        "name": f"村{i}",
                        "level": "village",
                        "pairing_dispatch_level": "city" if i < 28 else "province",
                    },
                ),
            )

        await load_demo(db)
        await load_demo(db)

        async with db.transaction() as s:
            plans = {p.scheme_code: p for p in (await s.execute(select(Plan))).scalars()}
            assert plans["kaiping-per-capita-2016"].total_fen == yuan(5_020_000)
            assert plans["kaiping-special-funds-2016"].total_fen == yuan(3_810_000)
            assert plans["quanzhou-village-grants-2018"].total_fen == yuan(14_400_000)
            accounts = {a.code: a for a in (await s.execute(select(Account))).scalars()}
            assert accounts["kaiping-special-account.paid"].balance_fen > 0
            assert accounts["quanzhou-special-account.paid"].balance_fen == yuan(
                5_000_000
            )  # 10 villages paid
            assert sum(a.balance_fen for a in accounts.values()) == 0
            assert (await s.execute(select(func.count()).select_from(Disbursement))).scalar_one() == 30
    finally:
        await db.dispose()
