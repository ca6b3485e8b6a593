"""Registry events over real NATS JetStream change the funds plan; funds events leave via the outbox."""

from __future__ import annotations

import nats
import pytest
from nats.js.errors import NotFoundError

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.events.streams import ensure_streams
from shared.money import yuan
from tests.funds.integration.factories import FINANCE, kaiping_plan, open_kaiping_accounts, registered
from tests.support import service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio


async def test_registered_households_on_nats_grow_the_plan(make_db, nats_url) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds"), nats_url))
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=5)
    await ensure_streams(js)
    try:
        async with service_client(app) as client:
            await open_kaiping_accounts(client)
            plan = await kaiping_plan(client)
            assert plan["total_fen"] == 0

            for i, size in enumerate((4, 3)):
                event = registered(f"hh-nats-{i}", size)
                await js.publish(event.type, event.to_json_bytes(), headers={"Nats-Msg-Id": event.id})
                # the same message redelivered by the registry (same id) is dropped by JetStream;
                # a copy slipping through would be dropped by the inbox
                await js.publish(event.type, event.to_json_bytes(), headers={"Nats-Msg-Id": event.id})

            async def grown() -> dict | None:
                r = await client.get(f"/funds/v1/plans/{plan['id']}", headers=FINANCE)
                return r.json() if r.json()["people"] == 7 else None

            after = await wait_for(grown, what="the plan to count 7 people")
            assert after["total_fen"] == yuan(140_000)

            async def relayed() -> bool:
                try:
                    info = await js.stream_info("FUNDS")
                except NotFoundError:
                    return False
                return info.state.messages == 3

            # the plan's first computation and its two recomputations reach the FUNDS stream, once each
            await wait_for(relayed, what="3 funds.plan.recomputed.v1 events on the FUNDS stream")
            sub = await js.pull_subscribe("funds.>", durable="funds-test-reader", stream="FUNDS")
            msgs = await sub.fetch(3, timeout=5)
            assert {m.subject for m in msgs} == {"funds.plan.recomputed.v1"}
    finally:
        await nc.close()
