"""Registry → pairing over a real NATS JetStream: registry events written to a registry outbox are
relayed, consumed by the running pairing app, and the same event redelivered changes nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable

import nats
import pytest
from sqlalchemy import func, select

from services.pairing.app import create_app
from services.pairing.models import PairingNeed
from services.pairing.settings import PairingSettings
from shared.db import Database
from shared.events import add_event
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_streams
from shared.tables import audit_log, outbox
from tests.pairing.factories import OFFICE, V1
from tests.support import service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio


async def test_registered_opens_a_need_removed_closes_it_and_redelivery_is_harmless(
    make_db: Callable[[str], str], nats_url: str
) -> None:
    registry = Database(make_db("registry"))
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    relay = OutboxRelay(registry, js, service="registry", idle_sleep_s=0.05)
    relay_task = asyncio.create_task(relay.run())
    app = create_app(settings_for(PairingSettings, make_db("pairing"), nats_url))
    household_id = str(uuid.uuid4())
    try:
        async with service_client(app) as client:
            async with registry.transaction() as s:
                await add_event(
                    s,
                    type="registry.area.upserted.v1",
                    subject=V1,
                    data={
                        "code": V1,
                        "name": "示范村",
                        "level": "village",
                        "parent_code": "440783101000",
                        "poor_village": True,
                        "old_area_village": True,
                        "key_village": False,
                        "pairing_dispatch_level": None,
                        "rural_population": 900,
                        "collective_income_fen": None,
                    },
                )
                await add_event(
                    s,
                    type="registry.household.registered.v1",
                    subject=household_id,
                    data={
                        "household_id": household_id,
                        "household_number": "440783-0001",
                        "area_code": V1,
                        "year": 2026,
                        "member_count": 4,
                        "member_ids": [],
                        "head_name_masked": "陈*",
                        "poverty_causes": ["illness"],
                        "batches": [],
                        "dibao": True,
                        "registered_on": "2026-11-20",
                    },
                )

            async def open_needs() -> list[dict]:  # type: ignore[type-arg]
                r = await client.get("/pairing/v1/needs", headers=OFFICE)
                return r.json()["items"]

            needs = await wait_for(open_needs, what="the need opened by registry.household.registered.v1")
            assert [n["household_id"] for n in needs] == [household_id]

            # JetStream redelivers the registered event (a lost ack): still one need.
            async with registry.transaction() as s:
                envelope = (
                    await s.execute(
                        select(outbox.c.envelope).where(outbox.c.type == "registry.household.registered.v1")
                    )
                ).scalar_one()
            await js.publish(
                envelope["type"], json.dumps(envelope).encode(), headers={"Nats-Msg-Id": "again-1"}
            )

            async with registry.transaction() as s:
                await add_event(
                    s,
                    type="registry.household.removed.v1",
                    subject=household_id,
                    data={"household_id": household_id, "area_code": V1, "reason": "moved out of the county"},
                )

            async def removed() -> bool:
                r = await client.get(f"/pairing/v1/households/{household_id}", headers=OFFICE)
                return r.json()["status"] == "removed"

            await wait_for(removed, what="the household projected as removed")
            async with app.state.db.transaction() as s:
                rows = (
                    await s.execute(select(PairingNeed.status, func.count()).group_by(PairingNeed.status))
                ).all()
                registered = (
                    await s.execute(select(func.count()).where(audit_log.c.action == "household.registered"))
                ).scalar_one()
            assert dict(rows) == {"closed": 1}
            assert registered == 1, "the redelivered event had no second effect"
            village = await client.get("/pairing/v1/coverage", headers=OFFICE)
            assert village.json()["poor_villages"] == 1
    finally:
        relay.stop()
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await nc.close()
        await registry.dispose()


async def test_a_gap_reaches_the_pairing_stream_once_however_often_coverage_is_checked(
    make_db: Callable[[str], str], nats_url: str
) -> None:
    from tests.pairing.factories import household

    # Only the relay matters here (registry events are delivered by hand).
    app = create_app(settings_for(PairingSettings, make_db("pairing"), nats_url, run_consumers=False))
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    try:
        async with service_client(app) as client:
            household_id = await household(app, V1)
            for _ in range(3):
                r = await client.post("/pairing/v1/coverage/checks", headers=OFFICE)
                assert r.status_code == 200

            sub = await js.pull_subscribe("pairing.coverage.gap_detected.v1", durable="test-gap-reader")

            async def fetch_all() -> list[dict]:  # type: ignore[type-arg]
                received: list[dict] = []  # type: ignore[type-arg]
                while True:
                    try:
                        msgs = await sub.fetch(10, timeout=1)
                    except nats.errors.TimeoutError:
                        return received
                    for m in msgs:
                        received.append(json.loads(m.data))
                        await m.ack()

            events = await wait_for(fetch_all, what="the gap event relayed to JetStream")
            await asyncio.sleep(1)
            events += await fetch_all()
            assert [(e["data"]["kind"], e["data"]["subject_id"]) for e in events] == [
                ("household_without_cadre", household_id)
            ]
            assert events[0]["data"]["signal_key"] == f"pairing:household_without_cadre:{household_id}:1"
    finally:
        await nc.close()
