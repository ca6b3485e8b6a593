"""The registry on real NATS: its events reach JetStream, inspection's verdict comes back in."""

from __future__ import annotations

import json

import nats
import pytest
from sqlalchemy import func, select

from shared.events import CloudEvent
from shared.events.streams import ensure_streams
from shared.tables import outbox
from tests.registry.integration.helpers import REGISTRAR, load_areas, registered, registry_app
from tests.registry.integration.test_exits_and_relapse import make_eligible, url
from tests.support import service_client, wait_for

pytestmark = pytest.mark.asyncio


async def test_exit_request_goes_out_and_the_verified_event_comes_back(make_db, nats_url):
    app = registry_app(make_db("registry"), nats_url)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_streams(js)
    try:
        async with service_client(app) as c:
            await load_areas(c)
            h = await registered(c)
            await make_eligible(c, h)
            req = (await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)).json()

            async def relayed():
                async with app.state.db.transaction() as s:
                    return (
                        0
                        == (
                            await s.execute(select(func.count()).where(outbox.c.published_at.is_(None)))
                        ).scalar_one()
                    )

            await wait_for(relayed, what="the outbox relayed to JetStream")
            sub = await js.pull_subscribe("registry.household.exit_requested.v1", durable="t-inspection")
            [msg] = await sub.fetch(1, timeout=5)
            assert json.loads(msg.data)["data"]["exit_request_id"] == req["id"]
            await msg.ack()

            verified = CloudEvent(
                source="jingzhun/inspection",
                type="inspection.exit.verified.v1",
                subject=h["id"],
                data={
                    "household_id": h["id"],
                    "area_code": h["area_code"],
                    "exit_request_id": req["id"],
                    "dossier_id": "d-9",
                    "verified_on": "2018-12-01",
                },
            )
            for _ in range(2):  # a redelivered verdict is harmless
                await js.publish(
                    verified.type, verified.to_json_bytes(), headers={"Nats-Msg-Id": verified.id}
                )

            async def exited():
                card = (await c.get(url(h), headers=REGISTRAR)).json()
                return card if card["status"] == "exited" else None

            card = await wait_for(exited, what="the household exited from inspection's verdict")
            assert card["exited_on"] == "2018-12-01"
    finally:
        await nc.close()
