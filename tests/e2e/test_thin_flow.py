"""A household registered in the registry reaches pairing, funds and inspection exactly once,
with each service in its own OS process on real PostgreSQL and nats-server — also when
nats-server is down for several seconds in the middle of the flow: the four APIs stay ready and
take writes meanwhile, and the events arrive once it is back."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date, timedelta

import httpx
import nats
import pytest
from sqlalchemy import func, select, text

from services.funds.policies.presets import ACCOUNTS
from shared.clock import clock
from shared.db import Database
from shared.resident_id import make
from shared.tables import inbox, outbox
from tests.support import auth

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

COUNTY, TOWN, VILLAGE = "440783000000", "440783101000", "440783101201"
REGISTERED = "registry.household.registered.v1"
CONSUMERS = ("funds", "pairing", "inspection")
CLERK = auth(["registrar", "approver"], COUNTY, sub="clerk-1")
PROVINCE_CLERK = auth(["registrar"], "440000000000", sub="province-clerk")


def _areas() -> dict[str, object]:
    return {
        "areas": [
            {"code": "440000000000", "name": "广东省"},
            {"code": "440700000000", "name": "江门市"},
            {"code": COUNTY, "name": "开平市"},
            {"code": TOWN, "name": "赤水镇", "synthetic_code": True},
            {
                "code": VILLAGE,
                "name": "示范村",
                "poor_village": True,
                "old_area_village": True,
                "key_village": True,
                "rural_population": 1200,
                "synthetic_code": True,
            },
        ]
    }


def _ids(seq: int) -> tuple[str, str]:
    return (
        make("440783", date(1970, 1, 1), seq * 2, sex="male"),
        make("440783", date(1972, 2, 2), seq * 2 + 1, sex="female"),
    )


async def _register(client: httpx.AsyncClient, system, seq: int) -> str:  # type: ignore[no-untyped-def]
    head_id, spouse_id = _ids(seq)
    body = {
        "area_code": VILLAGE,
        "year": 2016,
        "poverty_causes": ["illness"],
        "dibao": True,
        "members": [
            {
                "name": f"测试户主{seq}",
                "resident_id": head_id,
                "relation": "head",
                "labour_capacity": "full",
            },
            {
                "name": f"测试配偶{seq}",
                "resident_id": spouse_id,
                "relation": "spouse",
                "labour_capacity": "partial",
            },
        ],
    }
    r = await client.post(system.url("registry", "/households"), json=body, headers=CLERK)
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    base = f"/households/{hid}"
    # the household was entered three weeks ago (its paper form); the service runs in its own
    # process, so the test moves the record's creation date instead of the clock
    db = Database(system.database_urls["registry"], pool_size=1)
    try:
        async with db.transaction() as s:
            await s.execute(
                text("UPDATE household SET created_on = created_on - 21 WHERE id = :id"), {"id": hid}
            )
    finally:
        await db.dispose()
    today = clock.today()
    late = {"backdate_reason": "纸质档案补录"}  # further back than 3 days: reason + approver (CLERK)
    steps = [
        ("/review-submission", None),
        ("/review", {"result": "approved", "held_on": str(today - timedelta(days=20))} | late),
        ("/notice", {"starts_on": str(today - timedelta(days=15))} | late),
        ("/confirmation", None),
        ("/registration", None),
    ]
    head = next(m for m in r.json()["members"] if m["relation"] == "head")
    family = auth("household", body["area_code"], sub=str(hid))  # 逐户签字确认: the household signs
    for path, payload in steps:
        who = CLERK
        if path == "/confirmation":
            payload, who = {"member_id": head["id"], "capacity": "head"}, family
        r = await client.post(system.url("registry", base + path), json=payload, headers=who)
        assert r.status_code == 200, f"{path}: {r.text}"
    assert r.json()["status"] == "registered"
    return hid


async def _handled(db: Database, event_type: str) -> int:
    async with db.transaction() as s:
        q = select(func.count()).select_from(inbox).where(inbox.c.event_type == event_type)
        return int((await s.execute(q)).scalar_one())


async def _wait_all(dbs: dict[str, Database], n: int, timeout_s: float = 40) -> None:
    deadline = time.monotonic() + timeout_s
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = {svc: await _handled(db, REGISTERED) for svc, db in dbs.items()}
        if all(c >= n for c in counts.values()):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"expected {n} registrations in every consumer, got {counts}")


async def test_registered_household_reaches_every_service_once(system, stack) -> None:  # type: ignore[no-untyped-def]
    dbs = {svc: Database(system.database_urls[svc], pool_size=1) for svc in CONSUMERS}
    registry_db = Database(system.database_urls["registry"], pool_size=1)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.post(system.url("registry", "/areas"), json=_areas(), headers=PROVINCE_CLERK)
            assert r.status_code == 200, r.text
            await _register(client, system, 1)
            await _wait_all(dbs, 1)

            # nats-server goes down; the registry keeps working and its events wait in the outbox.
            stack.stack.stop_nats()
            await _register(client, system, 2)
            await _register(client, system, 3)
            await asyncio.sleep(3)
            async with registry_db.transaction() as s:
                unsent = (
                    await s.execute(
                        select(func.count())
                        .select_from(outbox)
                        .where(outbox.c.published_at.is_(None), outbox.c.type == REGISTERED)
                    )
                ).scalar_one()
            assert unsent == 2
            # The other three take writes too (their events wait in their outboxes).
            account = next(a for a in ACCOUNTS if a.area_code.startswith("4407"))
            writes = {
                "funds": (
                    "/accounts",
                    {"code": account.code, "name": account.name, "area_code": account.area_code,
                     "kind": account.kind},
                    auth("finance", account.area_code[:4] + "0" * 8),
                ),
                "pairing": ("/helpers", {"kind": "cadre", "name": "驻村干部甲", "area_code": VILLAGE},
                            auth(["registrar"], COUNTY)),
                "inspection": (
                    "/complaints",
                    {"area_code": VILLAGE, "category": "funds", "summary": "Subsidy withheld",
                     "details": "Paid 800 yuan of 1,500", "anonymous": True, "complainant": None},
                    auth("inspector", COUNTY),
                ),
            }
            for svc, (path, body, headers) in writes.items():
                r = await client.post(system.url(svc, path), json=body, headers=headers)
                assert r.status_code == 201, f"{svc}: {r.text}"
            # Every API stays ready (its readiness is its database); NATS is reported on its own.
            for svc in system.ports:
                base = f"http://127.0.0.1:{system.ports[svc]}"
                ready = await client.get(f"{base}/health/ready")
                assert ready.status_code == 200, f"{svc}: {ready.text}"
                assert ready.json()["checks"] == {"database": "ok"}
                full = await client.get(f"{base}/health/ready", params={"full": "1"})
                assert full.status_code == 503
                assert full.json()["checks"]["nats"].startswith("failing")
                metrics = (await client.get(f"{base}/metrics")).text
                assert f'jingzhun_nats_connected{{service="{svc}"}} 0.0' in metrics
            stack.stack.start_nats()
            await _wait_all(dbs, 3)
            for svc in system.ports:
                full = await client.get(f"http://127.0.0.1:{system.ports[svc]}/health/ready?full=1")
                assert full.status_code == 200, f"{svc}: {full.text}"
                assert full.json()["checks"] == {"database": "ok", "nats": "ok"}

            # The same event delivered again (a redelivery after a lost ack) changes nothing.
            async with registry_db.transaction() as s:
                envelope = (
                    await s.execute(select(outbox.c.envelope).where(outbox.c.type == REGISTERED).limit(1))
                ).scalar_one()
            nc = await nats.connect(system.nats_url)
            await nc.jetstream().publish(
                REGISTERED, json.dumps(envelope).encode(), headers={"Nats-Msg-Id": "manual-redelivery"}
            )
            await nc.close()
            await asyncio.sleep(2)
            for svc, db in dbs.items():
                assert await _handled(db, REGISTERED) == 3, f"{svc} applied an event twice"

            # No resident ID number leaves the registry: not in any outbox, not on the bus.
            secrets = [n for seq in (1, 2, 3) for n in _ids(seq)]
            for svc, db in {**dbs, "registry": registry_db}.items():
                async with db.transaction() as s:
                    texts = (await s.execute(select(outbox.c.envelope))).scalars().all()
                leaked = [n for n in secrets if any(n in json.dumps(t) for t in texts)]
                assert leaked == [], f"{svc} published resident IDs"
            nc = await nats.connect(system.nats_url)
            sub = await nc.jetstream().pull_subscribe("registry.>", stream="REGISTRY")
            msgs = await sub.fetch(200, timeout=2)
            await nc.close()
            assert len(msgs) >= 4
            assert not [m for m in msgs if any(n.encode() in m.data for n in secrets)]
    finally:
        for db in [*dbs.values(), registry_db]:
            await db.dispose()
