"""The outbox relay on real PostgreSQL and nats-server: atomic batches, re-sends, order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from sqlalchemy import event, select, update

from shared.db import Database
from shared.events.outbox import add_events
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_stream, ensure_streams
from shared.tables import outbox

pytestmark = pytest.mark.asyncio

EVENT = "registry.household.registered.v1"


@pytest_asyncio.fixture
async def bus(make_db, nats_url) -> AsyncIterator[tuple[Database, JetStreamContext]]:  # type: ignore[no-untyped-def]
    """A registry database and a JetStream context (no stream made yet)."""
    db = Database(make_db("registry"))
    nc = await nats.connect(nats_url)
    yield db, nc.jetstream(timeout=5)
    await nc.close()
    await db.dispose()


async def _write(db: Database, types: list[str]) -> list[str]:
    async with db.transaction() as s:
        events = await add_events(s, [(t, str(i), {"n": i}) for i, t in enumerate(types)])
    return [e.id for e in events]


async def _stored(js, n: int) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The REGISTRY stream's messages in stream order: (Nats-Msg-Id, the event's data.n)."""
    out = []
    for seq in range(1, n + 1):
        msg = await js.get_msg("REGISTRY", seq)
        out.append((msg.headers["Nats-Msg-Id"], json.loads(msg.data)["data"]["n"]))
    return out


async def _outbox(db: Database) -> list[tuple[str, bool, int]]:
    async with db.transaction() as s:
        rows = await s.execute(
            select(outbox.c.id, outbox.c.published_at, outbox.c.attempts).order_by(outbox.c.seq)
        )
        return [(str(r.id), r.published_at is not None, r.attempts) for r in rows]


async def test_a_batch_lands_in_outbox_order_and_a_resend_is_dropped(bus) -> None:  # type: ignore[no-untyped-def]
    db, js = bus
    await ensure_streams(js)
    relay = OutboxRelay(db, js, service="registry", batch_size=50)
    ids = await _write(db, [EVENT] * 120)
    assert [await relay.run_once() for _ in range(3)] == [50, 50, 20]
    assert await _stored(js, 120) == [(event_id, n) for n, event_id in enumerate(ids)]

    # The relay crashed after publishing, before its commit marked the rows sent: they go
    # again, and JetStream keeps one copy of each.
    async with db.transaction() as s:
        await s.execute(update(outbox).values(published_at=None))
    assert [await relay.run_once() for _ in range(3)] == [50, 50, 20]
    assert (await js.stream_info("REGISTRY")).state.messages == 120
    assert relay.atomic, "a re-send does not turn the atomic batches off"
    newer = await _write(db, [EVENT] * 3)
    assert await relay.run_once() == 3
    assert [i for i, _ in await _stored(js, 123)][120:] == newer
    assert all(sent and attempts == 0 for _, sent, attempts in await _outbox(db))


async def test_an_idle_round_only_asks_whether_anything_waits(bus) -> None:  # type: ignore[no-untyped-def]
    """An idle relay polls five times a second in every replica: with nothing to send, a round
    opens no transaction and claims nothing (it was ~0.8 ms of CPU a round); a row written then
    goes out on the next round."""
    db, js = bus
    await ensure_streams(js)
    relay = OutboxRelay(db, js, service="registry")
    begun: list[object] = []

    def on_begin(conn: object) -> None:
        begun.append(conn)

    event.listen(db.engine.sync_engine, "begin", on_begin)
    try:
        assert [await relay.run_once() for _ in range(5)] == [0] * 5
    finally:
        event.remove(db.engine.sync_engine, "begin", on_begin)
    assert begun == []
    ids = await _write(db, [EVENT] * 2)
    assert await relay.run_once() == 2
    assert [i for i, _ in await _stored(js, 2)] == ids
    assert await relay.run_once() == 0


async def test_rows_after_a_failed_one_wait_for_it(bus) -> None:  # type: ignore[no-untyped-def]
    db, js = bus
    await ensure_streams(js)
    relay = OutboxRelay(db, js, service="registry", publish_timeout_s=1)
    # The second event's subject has no stream: it fails, and the third is not sent before it.
    first, _, _ = await _write(db, [EVENT, "nowhere.thing.happened.v1", EVENT])
    assert await relay.run_once() == 1
    assert [(sent, attempts) for _, sent, attempts in await _outbox(db)] == [
        (True, 0),
        (False, 1),
        (False, 0),
    ]
    assert [i for i, _ in await _stored(js, 1)] == [first]
    assert (await js.stream_info("REGISTRY")).state.messages == 1


async def test_a_stream_without_atomic_batches_gets_every_event_once(bus) -> None:  # type: ignore[no-untyped-def]
    db, js = bus
    # A stream made before atomic batches (as an older release made it).
    await js.add_stream(
        StreamConfig(
            name="REGISTRY", subjects=["registry.>"], storage=StorageType.FILE, duplicate_window=7200
        )
    )
    relay = OutboxRelay(db, js, service="registry", batch_size=40)
    ids = await _write(db, [EVENT] * 100)
    assert [await relay.run_once() for _ in range(3)] == [40, 40, 20]
    assert not relay.atomic, "the relay goes on message by message"
    assert await _stored(js, 100) == [(event_id, n) for n, event_id in enumerate(ids)]

    # Its service switches atomic batches on at its next start; the rest of the stream stays.
    await ensure_stream(js, "REGISTRY", own=True)
    info = await js.stream_info("REGISTRY")
    assert info.config.allow_atomic
    assert info.state.messages == 100
    assert info.config.duplicate_window == 7200
    later = OutboxRelay(db, js, service="registry")
    more = await _write(db, [EVENT] * 5)
    assert await later.run_once() == 5
    assert later.atomic
    assert [i for i, _ in await _stored(js, 105)][100:] == more
