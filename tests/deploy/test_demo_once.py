"""The demo of `make run` never touches a user's data: it loads once, pairs and visits only its own
households, and `jingzhun demo reset` removes exactly what it created, in all four services.

The loader functions of the runner run against four real databases; the consumers are played by
delivering each service's outbox to the others' handlers (what NATS and the consumer runners do
between the steps of a real start).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deploy.local import demo
from services.funds.models import Beneficiary, Disbursement
from services.inspection.models import Complaint, Inspection
from services.inspection.models import HouseholdRef as InspectionHousehold
from services.pairing.models import Helper, Pairing, Visit
from services.pairing.models import HouseholdRef as PairingHousehold
from services.registry.app import create_app as registry_app
from services.registry.models import Household, RollupCounter
from services.registry.settings import RegistrySettings
from shared.clock import clock
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import handle_event
from shared.resident_id import make
from shared.tables import outbox
from tests.support import auth, service_client, settings_for
from tests.support.identification import identify, on_day

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]  # the whole demo, four databases: minutes
SERVICES = ("registry", "funds", "pairing", "inspection")
BULAN = "440783105201"  # 步栏村: a Chishui key village the demo populates


def _handlers(svc: str) -> dict:  # type: ignore[type-arg]
    import importlib

    return importlib.import_module(f"services.{svc}.consumers").HANDLERS  # type: ignore[no-any-return]


_delivered: dict[tuple[str, str], int] = {}  # (producer's database, consumer) -> last outbox seq


async def _settle(urls: dict[str, str]) -> None:
    """Every new event in every outbox, to every other service's handlers (as NATS would)."""
    for producer in SERVICES:
        db = Database(urls[producer], pool_size=1)
        try:
            async with db.transaction() as s:
                rows = (await s.execute(select(outbox.c.seq, outbox.c.envelope).order_by(outbox.c.seq))).all()
        finally:
            await db.dispose()
        for consumer in SERVICES:
            if consumer == producer:
                continue
            handlers = _handlers(consumer)
            seen = _delivered.get((urls[producer], consumer), 0)
            target = Database(urls[consumer], pool_size=1)
            try:
                for seq, envelope in rows:
                    event = CloudEvent.model_validate(envelope)
                    if seq > seen and event.type in handlers:
                        await handle_event(target, consumer, event, handlers)
            finally:
                await target.dispose()
            if rows:
                _delivered[(urls[producer], consumer)] = rows[-1][0]


async def _user_registers_a_household(url: str) -> str:
    """A clerk registers a household of their own in a demo village, through the API."""
    app = registry_app(settings_for(RegistrySettings, url))
    clerk = auth(["registrar", "approver"], BULAN, sub="clerk-wang")
    start = clock.today() - timedelta(days=10)
    body = {
        "area_code": BULAN,
        "year": 2026,
        "poverty_causes": ["illness"],
        "members": [
            {
                "name": "用户自己",
                "resident_id": make("440783", clock.today().replace(year=1969), 777, sex="male"),
                "relation": "head",
                "labour_capacity": "full",
            }
        ],
    }
    async with service_client(app) as c:
        # entered the day before the review, on notice for its 7 days, signed by the household
        with on_day(start - timedelta(days=1)):
            r = await c.post("/registry/v1/households", json=body, headers=clerk)
        assert r.status_code == 201, r.text
        created = r.json()
        household_id = str(created["id"])
        await identify(c, created, clerk=clerk, notice_from=start)
    return household_id


async def _count(url: str, query) -> int:  # type: ignore[no-untyped-def]
    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as s:
            return int((await s.execute(query)).scalar_one())
    finally:
        await db.dispose()


async def _all(url: str, query) -> list:  # type: ignore[no-untyped-def,type-arg]
    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as s:
            return list((await s.execute(query)).scalars())
    finally:
        await db.dispose()


async def test_the_demo_loads_once_never_touches_a_users_household_and_reset_removes_only_it(make_db) -> None:  # type: ignore[no-untyped-def]
    urls = {svc: make_db(svc) for svc in SERVICES}
    log: list[str] = []
    assert await demo.load_once(urls, settle=_settle, log=log.append) is True
    assert await demo.states(urls) == dict.fromkeys(SERVICES, "loaded")
    demo_households = await _count(urls["registry"], select(func.count()).select_from(Household))
    assert demo_households == 325 + 96
    paired = await _count(urls["pairing"], select(func.count()).select_from(Pairing))
    visits = await _count(urls["pairing"], select(func.count()).select_from(Visit))
    assert paired > demo_households
    assert visits > 0

    # Between two starts a user registers a household of their own, in a demo village.
    user = await _user_registers_a_household(urls["registry"])
    await _settle(urls)
    assert (
        await _count(urls["pairing"], select(func.count()).where(PairingHousehold.id == uuid.UUID(user))) == 1
    )

    # The second start: the demo is not loaded again; nothing is added for anyone.
    assert await demo.load_once(urls, settle=_settle, log=log.append) is False
    assert await _count(urls["pairing"], select(func.count()).select_from(Pairing)) == paired
    assert await _count(urls["pairing"], select(func.count()).select_from(Visit)) == visits
    assert await _count(urls["pairing"], select(func.count()).where(Pairing.target_id == user)) == 0
    assert (
        await _count(urls["pairing"], select(func.count()).where(Visit.household_id == uuid.UUID(user))) == 0
    )
    assert await _count(urls["funds"], select(func.count()).where(Disbursement.beneficiary_id == user)) == 0

    # `jingzhun demo reset`: exactly the demo goes, in every service; the user's household stays.
    removed = await demo.remove(urls)
    assert removed["registry"]["household"] == demo_households
    assert await _all(urls["registry"], select(Household.id)) == [uuid.UUID(user)]
    counter = await _all(
        urls["registry"],
        select(RollupCounter.households).where(
            RollupCounter.area_prefix == "440783",
            RollupCounter.dimension == "status",
            RollupCounter.key == "registered",
        ),
    )
    assert counter == [1]  # Kaiping's counters count the user's household only
    assert [str(i) for i in await _all(urls["pairing"], select(PairingHousehold.id))] == [user]
    assert await _count(urls["pairing"], select(func.count()).select_from(Helper)) == 0
    assert await _count(urls["pairing"], select(func.count()).select_from(Visit)) == 0
    assert await _all(urls["funds"], select(Beneficiary.ref_id).where(Beneficiary.kind == "household")) == [
        user
    ]
    assert await _count(urls["funds"], select(func.count()).select_from(Disbursement)) == 0
    assert await _all(urls["inspection"], select(InspectionHousehold.household_id)) == [user]
    assert await _count(urls["inspection"], select(func.count()).select_from(Inspection)) == 0
    assert await _count(urls["inspection"], select(func.count()).select_from(Complaint)) == 0
    # and a later start does not bring it back
    assert await demo.load_once(urls, settle=_settle, log=log.append) is False
    assert await demo.states(urls) == dict.fromkeys(SERVICES, "removed")
