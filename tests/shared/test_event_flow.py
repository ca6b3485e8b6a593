"""Outbox -> relay -> JetStream -> idempotent consumer, on real PostgreSQL and nats-server."""

from __future__ import annotations

import asyncio
import json

import nats
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit
from shared.context import request_id_var
from shared.db import Database
from shared.events import CloudEvent, add_event
from shared.events.consumer import ConsumerRunner
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_streams
from shared.tables import audit_log, inbox, outbox
from tests.support import wait_for

pytestmark = pytest.mark.asyncio

EVENT = "registry.household.registered.v1"


async def _count(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())


async def _project(session: AsyncSession, event: CloudEvent) -> None:
    # Stand-in effect of a consumer: one audit row per handled event, in the handler's transaction.
    await audit.record(session, "consumer", "projected", ("household", event.subject), after=event.data)


async def _emit(db: Database, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        token = request_id_var.set(f"req-{i}")  # as the HTTP middleware does for a request
        try:
            async with db.transaction() as s:
                await add_event(s, type=EVENT, subject=str(i), data={"household_id": str(i)})
        finally:
            request_id_var.reset(token)


async def test_rolled_back_change_leaves_no_event(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("registry"))

    async def failing_use_case() -> None:
        async with db.transaction() as s:
            await add_event(s, type=EVENT, subject="1", data={})
            raise RuntimeError("the use case failed after writing its event")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    assert await _count(db, outbox) == 0
    await db.dispose()


async def test_events_flow_once_even_across_a_nats_outage(make_db, nats_url, stack) -> None:  # type: ignore[no-untyped-def]
    producer, consumer_db = Database(make_db("registry")), Database(make_db("pairing"))
    nc = await nats.connect(nats_url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    relay = OutboxRelay(producer, js, service="registry", idle_sleep_s=0.05, publish_timeout_s=0.5)
    runner = ConsumerRunner(
        consumer_db, js, service="pairing", handlers={EVENT: _project}, fetch_timeout_s=0.3, retry_delay_s=0.2
    )
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(runner.run())]
    try:
        await _emit(producer, 5)
        await wait_for(lambda: _has(consumer_db, 5), what="first 5 events projected")

        # NATS goes away for a few seconds while the registry keeps registering households.
        stack.stack.stop_nats()
        await _emit(producer, 5, start=5)
        await asyncio.sleep(3)
        async with producer.transaction() as s:
            waiting = select(func.count()).where(outbox.c.published_at.is_(None))
            unsent = (await s.execute(waiting)).scalar_one()
        assert unsent == 5, "events written during the outage wait in the outbox"
        stack.stack.start_nats()

        await wait_for(lambda: _has(consumer_db, 10), timeout_s=30, what="all 10 events after the outage")
        # Redeliver one event by hand (as JetStream would after a lost ack): no second effect.
        async with producer.transaction() as s:
            envelope = (await s.execute(select(outbox.c.envelope).limit(1))).scalar_one()
        await js.publish(EVENT, json.dumps(envelope).encode(), headers={"Nats-Msg-Id": "replay-1"})
        await asyncio.sleep(1.5)
        assert await _count(consumer_db, audit_log) == 10
        assert await _count(consumer_db, inbox) == 10
        async with consumer_db.transaction() as s:
            rows = (await s.execute(select(audit_log.c.entity_id, audit_log.c.request_id))).all()
            subjects = [r.entity_id for r in rows]
            intact, broken = await audit.verify_chain(s)
        assert sorted(subjects, key=int) == [str(i) for i in range(10)]
        # The request id of the HTTP call that caused the event reaches the consumer's records.
        assert {r.request_id for r in rows} == {f"req-{i}" for i in range(10)}
        assert intact
        assert broken is None
    finally:
        relay.stop()
        runner.stop()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await nc.close()
        await producer.dispose()
        await consumer_db.dispose()


async def _has(db: Database, n: int) -> bool:
    return await _count(db, audit_log) >= n


async def test_a_batch_fetched_ahead_is_handed_back_at_once_on_stop(make_db, nats_url) -> None:  # type: ignore[no-untyped-def]
    """A replica that stops (a rolling restart) while it holds the next batch fetched ahead gives
    it back: the replica that carries on applies it at once, not after ack_wait (30 s)."""
    db = Database(make_db("pairing"))
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js)
    for i in range(12):
        data = {"household_id": str(i)}
        event = CloudEvent(source="jingzhun/registry", type=EVENT, subject=str(i), data=data)
        await js.publish(EVENT, event.to_json_bytes())

    async def stop_after_first(session: AsyncSession, event: CloudEvent) -> None:
        await _project(session, event)
        first.stop()  # the next batch of 4 is being fetched meanwhile

    first = ConsumerRunner(
        db, js, service="pairing", handlers={EVENT: stop_after_first}, batch=4, fetch_timeout_s=0.3
    )
    await asyncio.wait_for(first.run(), timeout=10)
    done_first = await _count(db, inbox)
    assert done_first == 4  # one batch applied; the one fetched ahead was not
    second = ConsumerRunner(
        db, js, service="pairing", handlers={EVENT: _project}, batch=4, fetch_timeout_s=0.3
    )
    task = asyncio.create_task(second.run())
    try:
        await wait_for(lambda: _has(db, 12), timeout_s=10, what="the other 8 events, well within ack_wait")
        assert await _count(db, inbox) == 12
    finally:
        second.stop()
        await asyncio.gather(task, return_exceptions=True)
        await nc.close()
        await db.dispose()
