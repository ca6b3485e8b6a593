"""Registry events over real NATS JetStream change the funds plan; funds events leave via the outbox."""

from __future__ import annotations

import json

import nats
import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.events.streams import ensure_streams
from shared.money import yuan
from tests.funds.integration.factories import FINANCE, kaiping_plan, open_kaiping_accounts, registered
from tests.support import service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio


async def test_registered_households_on_nats_grow_the_plan(make_db, nats_url) -> None:  # type: ignore[no-untyped-def]
    # jobs on: the plan refresh job recomputes the plan the consumer marked
    app = create_app(settings_for(FundsSettings, make_db("funds"), nats_url, run_jobs=True))
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

            # the plan's first computation and its recomputation(s) reach the FUNDS stream; the refresh
            # may fold both registrations into one revision, so 2 or 3 events, the last counting 7
            sub = await js.pull_subscribe("funds.>", durable="funds-test-reader", stream="FUNDS")
            seen: list[dict] = []

            async def last_counts_seven() -> bool:
                try:
                    msgs = await sub.fetch(10, timeout=0.5)
                except TimeoutError:
                    msgs = []
                for m in msgs:
                    await m.ack()
                    seen.append({"subject": m.subject, **json.loads(m.data)["data"]})
                return bool(seen) and seen[-1]["people"] == 7

            await wait_for(last_counts_seven, what="a funds.plan.recomputed.v1 event counting 7 people")
            assert {e["subject"] for e in seen} == {"funds.plan.recomputed.v1"}
            assert 2 <= len(seen) <= 3
            assert seen[-1]["total_fen"] == yuan(140_000)
    finally:
        await nc.close()
