"""Webhook delivery on a real nats-server and PostgreSQL, to a fake provincial platform."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext
from typer.testing import CliRunner

from deploy.cli import app as cli
from deploy.local.runner import STATUS_FILE
from shared.clock import clock
from shared.db import Database
from shared.events.streams import ensure_stream
from shared.feed.config import FeedSubscription
from shared.feed.delivery import BATCH_CONTENT_TYPE, FeedDelivery, RoundResult
from shared.feed.metrics import FEED_DELIVERED, FEED_FAILURES
from shared.feed.status import STATUS_BUCKET, DeliveryStatus, StatusStore
from shared.observability import configure_logging
from tests.feed.support import SECRET, Receiver, cloud_event, jetstream_getter, publish, running_receiver
from tests.support import wait_for

pytestmark = pytest.mark.asyncio

REGISTERED = "registry.household.registered.v1"
UPDATED = "registry.household.updated.v1"
AREA = "registry.area.upserted.v1"
KAIPING_VILLAGE = "440783101201"
TAISHAN_VILLAGE = "440781100201"


@pytest_asyncio.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=5)
    with contextlib.suppress(Exception):
        await js.delete_key_value(STATUS_BUCKET)  # status of an earlier test's subscriptions
    await ensure_stream(js, "REGISTRY")
    yield js
    await nc.close()


@pytest_asyncio.fixture
async def db(make_db: Any) -> AsyncIterator[Database]:
    database = Database(make_db("registry"), pool_size=2)
    yield database
    await database.dispose()


def subscription(receiver: Receiver, name: str, **overrides: Any) -> FeedSubscription:
    values: dict[str, Any] = {
        "name": name,
        "url": receiver.url,
        "secret": SECRET,
        "subjects": "registry.>",
        "batch_size": 10,
        "timeout_s": 2.0,
        "retry_base_s": 0.1,
        "retry_max_s": 0.5,
    }
    values.update(overrides)
    return FeedSubscription(**values)


async def deliver_until(
    delivery: FeedDelivery, db: Database, done: Any, *, what: str, timeout_s: float = 20.0
) -> list[RoundResult]:
    """Run rounds as the periodic job would, until ``done()``; returns every round's result."""
    rounds: list[RoundResult] = []

    async def probe() -> bool:
        rounds.append(await delivery.run(db))
        return bool(done())

    await wait_for(probe, timeout_s=timeout_s, interval_s=0.05, what=what)
    return rounds


async def test_every_event_arrives_once_in_order_signed(js: JetStreamContext, db: Database) -> None:
    with running_receiver(Receiver()) as receiver:
        sent = [cloud_event(REGISTERED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(25)]
        for event in sent:
            await publish(js, event)
        delivery = FeedDelivery(
            subscription(receiver, "gd-bigdata"), service="registry", jetstream=jetstream_getter(js)
        )
        before = FEED_DELIVERED.labels("registry", "gd-bigdata")._value.get()
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 25, what="25 events delivered")
        # A few more rounds with nothing new deliver nothing again.
        for _ in range(3):
            assert (await delivery.run(db)).delivered == 0

    assert [e["id"] for e in receiver.events] == [e["id"] for e in sent]
    assert receiver.events[0] == sent[0]  # the CloudEvent as published, structured mode
    assert all(len(batch) <= 10 for batch in receiver.accepted)
    assert receiver.bad_signatures == 0
    assert receiver.content_types == {f"{BATCH_CONTENT_TYPE}; charset=utf-8"}
    assert len(set(receiver.delivery_ids)) == len(receiver.accepted)
    assert FEED_DELIVERED.labels("registry", "gd-bigdata")._value.get() - before == 25
    info = await js.consumer_info("REGISTRY", "feed-gd-bigdata")
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    status = await StatusStore(js, service="registry").get("gd-bigdata")
    assert status.delivered_events == 25
    assert status.last_delivered_seq == 25
    assert status.last_error is None


async def test_failing_receiver_gets_everything_in_order_after_recovery(
    js: JetStreamContext, db: Database
) -> None:
    with running_receiver(Receiver(failing=True)) as receiver:
        delivery = FeedDelivery(
            subscription(receiver, "civil-affairs", batch_size=5),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        failures_before = FEED_FAILURES.labels("registry", "civil-affairs")._value.get()
        sent = [cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(3)]
        for event in sent:
            await publish(js, event)
        # A partial batch fails; more events arrive while it waits out its delay.
        await deliver_until(delivery, db, lambda: receiver.attempts >= 3, what="three failed attempts")
        later = [cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(3, 12)]
        for event in later:
            await publish(js, event)
        await deliver_until(delivery, db, lambda: receiver.attempts >= 5, what="more failed attempts")
        status = await StatusStore(js, service="registry").get("civil-affairs")
        assert status.last_error == "HTTP 500: "
        assert status.consecutive_failures >= 3
        assert status.last_delivery_at is None
        assert receiver.events == []

        receiver.failing = False
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 12, what="all 12 after recovery")
        for _ in range(3):
            await delivery.run(db)

    assert [e["id"] for e in receiver.events] == [e["id"] for e in sent + later]
    assert FEED_FAILURES.labels("registry", "civil-affairs")._value.get() - failures_before >= 5
    status = await StatusStore(js, service="registry").get("civil-affairs")
    assert status.consecutive_failures == 0
    assert status.retry_at is None
    assert status.last_error == "HTTP 500: "  # the last error stays visible after recovery
    assert status.delivered_events == 12


async def test_timeouts_count_as_failures(js: JetStreamContext, db: Database) -> None:
    with running_receiver(Receiver(delay_s=0.6)) as receiver:
        await publish(js, cloud_event(REGISTERED, household_id="1", area_code=KAIPING_VILLAGE))
        delivery = FeedDelivery(
            subscription(receiver, "slow-platform", timeout_s=0.2),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        result = await delivery.run(db)
        assert result.failed_batches == 1
        status = await StatusStore(js, service="registry").get("slow-platform")
        assert status.last_error == "timed out after 0.2s"
        receiver.delay_s = 0.0
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 1, what="delivered after timeout")


async def test_area_prefix_and_subject_filter(js: JetStreamContext, db: Database) -> None:
    events = [
        cloud_event(AREA, code=KAIPING_VILLAGE),  # not a household event
        cloud_event(REGISTERED, household_id="1", area_code=KAIPING_VILLAGE),
        cloud_event(REGISTERED, household_id="2", area_code=TAISHAN_VILLAGE),  # another county
        cloud_event(UPDATED, household_id="1", area_code=KAIPING_VILLAGE),
        cloud_event(UPDATED, household_id="3"),  # concerns no place: everyone gets it
        cloud_event(UPDATED, household_id="2", area_code=TAISHAN_VILLAGE),
    ]
    for event in events:
        await publish(js, event)
    with running_receiver(Receiver()) as receiver:
        delivery = FeedDelivery(
            subscription(receiver, "kaiping-stats", subjects="registry.household.>", area_prefix="440783"),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 3, what="Kaiping household events")
        info = await js.consumer_info("REGISTRY", "feed-kaiping-stats")
        assert (info.num_pending, info.num_ack_pending) == (0, 0)  # the skipped ones were acked too
    assert [e["id"] for e in receiver.events] == [events[1]["id"], events[3]["id"], events[4]["id"]]


async def test_two_replicas_never_deliver_the_same_subscription_at_once(
    js: JetStreamContext, db: Database, nats_url: str
) -> None:
    sent = [cloud_event(REGISTERED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(20)]
    for event in sent:
        await publish(js, event)
    other_nc = await nats.connect(nats_url)
    other_db = Database(db.url, pool_size=2)  # the second replica's own pool and bus connection
    try:
        with running_receiver(Receiver(delay_s=0.15)) as receiver:
            sub = subscription(receiver, "replicated", batch_size=4)
            replicas = [
                (FeedDelivery(sub, service="registry", jetstream=jetstream_getter(js)), db),
                (
                    FeedDelivery(sub, service="registry", jetstream=jetstream_getter(other_nc.jetstream())),
                    other_db,
                ),
            ]
            locked_out = 0
            for _ in range(40):
                results = await asyncio.gather(*(d.run(database) for d, database in replicas))
                locked_out += sum(r.locked_out for r in results)
                if len(receiver.events) >= 20:
                    break
    finally:
        await other_nc.close()
        await other_db.dispose()
    assert receiver.max_in_flight == 1
    assert locked_out > 0
    assert [e["id"] for e in receiver.events] == [e["id"] for e in sent]


async def test_newer_events_wait_for_older_ones_still_in_their_retry_delay(
    js: JetStreamContext, db: Database
) -> None:
    """Even when the shared back-off is lost (status bucket wiped), order holds: a fetch that
    returns newer events before the failed ones are due again is handed back, not posted."""
    with running_receiver(Receiver(failing=True)) as receiver:
        delivery = FeedDelivery(
            subscription(receiver, "ordered", batch_size=5, retry_base_s=1.5, retry_max_s=1.5),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        first = [cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(2)]
        for event in first:
            await publish(js, event)
        assert (await delivery.run(db)).failed_batches == 1
        later = [cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(2, 5)]
        for event in later:
            await publish(js, event)
        await js.delete_key_value(STATUS_BUCKET)
        receiver.failing = False
        result = await delivery.run(db)  # the failed two are not due yet; the newer three are
        assert result.deferred
        assert receiver.events == []
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 5, what="all five, in order")
    assert [e["id"] for e in receiver.events] == [e["id"] for e in first + later]


async def test_retries_go_on_while_the_business_clock_is_pinned(js: JetStreamContext, db: Database) -> None:
    """A demo or an end-to-end run pins the business clock (JINGZHUN_CLOCK_FROZEN_AT): a receiver
    that was down still gets its backlog once it is back, the delay counted in real time."""
    with (
        clock.frozen(datetime(2026, 12, 5, 20, 10, tzinfo=UTC)),
        running_receiver(Receiver(failing=True)) as receiver,
    ):
        delivery = FeedDelivery(
            subscription(receiver, "pinned-clock"), service="registry", jetstream=jetstream_getter(js)
        )
        sent = [cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(3)]
        for event in sent:
            await publish(js, event)
        await deliver_until(delivery, db, lambda: receiver.attempts >= 1, what="a failed attempt")
        receiver.failing = False
        await deliver_until(
            delivery, db, lambda: len(receiver.events) >= 3, what="the backlog after recovery"
        )
    assert [e["id"] for e in receiver.events] == [e["id"] for e in sent]


async def test_a_receiver_down_for_days_still_gets_the_longest_delay(
    js: JetStreamContext, db: Database
) -> None:
    """Days of failures (over a thousand at retry_max_s=300 in 3.5 days): the next failure still
    waits retry_max_s and is recorded, rather than the delay's arithmetic overflowing."""
    store = StatusStore(js, service="registry")
    await store.put("down-for-days", DeliveryStatus(consecutive_failures=1100, last_error="HTTP 503: "))
    with running_receiver(Receiver(failing=True)) as receiver:
        await publish(js, cloud_event(UPDATED, household_id="1", area_code=KAIPING_VILLAGE))
        delivery = FeedDelivery(
            subscription(receiver, "down-for-days", retry_max_s=300.0),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        started = datetime.now(UTC)
        result = await delivery.run(db)
    assert result.failed_batches == 1
    status = await store.get("down-for-days")
    assert status.consecutive_failures == 1101
    assert status.last_error == "HTTP 500: "
    assert status.retry_at is not None
    assert 299 <= (status.retry_at - started).total_seconds() <= 302


async def test_jingzhun_status_shows_each_webhooks_backlog_and_failures(
    js: JetStreamContext, db: Database, nats_url: str, tmp_path: Path
) -> None:
    """An operator of `make run` sees, without a token, which receiver is behind and why."""
    (tmp_path / STATUS_FILE).write_text(json.dumps({
        "runner_pid": os.getpid(), "updated_at": "2026-12-05T01:42:22+0000",
        "demo": {"state": "loaded", "detail": ""}, "database_urls": {}, "nats_url": nats_url,
        "services": {},
    }))

    async def status() -> str:
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["status", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        return str(result.output)

    with running_receiver(Receiver(failing=True)) as receiver:
        for i in range(3):
            await publish(js, cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE))
        delivery = FeedDelivery(
            subscription(receiver, "status-shown", retry_base_s=1.0, retry_max_s=1.0),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        assert (await delivery.run(db)).failed_batches == 1
        lines = [ln for ln in (await status()).splitlines() if ln.startswith("registry/status-shown ")]
        assert len(lines) == 1
        assert lines[0].split()[1] == "3"  # pending
        assert "failing (1 in a row, next try " in lines[0]
        assert lines[0].endswith("HTTP 500: ")

        receiver.failing = False
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 3, what="delivered")
        lines = [ln for ln in (await status()).splitlines() if ln.startswith("registry/status-shown ")]
        assert lines[0].split()[1] == "0"
        assert "ok, last delivery " in lines[0]


async def test_a_platform_that_loaded_a_snapshot_starts_its_webhook_at_feed_after(
    js: JetStreamContext, db: Database
) -> None:
    """A platform that registers after the events happened, from a snapshot's ``feed_after``, gets
    only what follows it; changing ``start_after`` later neither fails nor replays."""
    before = [cloud_event(REGISTERED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(4)]
    seqs = [await publish(js, event) for event in before]
    after = [cloud_event(UPDATED, household_id=str(i), area_code=KAIPING_VILLAGE) for i in range(2)]
    with running_receiver(Receiver()) as receiver:
        delivery = FeedDelivery(
            subscription(receiver, "from-snapshot", start_after=seqs[2]),
            service="registry",
            jetstream=jetstream_getter(js),
        )
        for event in after:
            await publish(js, event)
        await deliver_until(delivery, db, lambda: len(receiver.events) >= 3, what="events after feed_after")
        restarted = FeedDelivery(
            subscription(receiver, "from-snapshot", start_after=0),  # ops edited the setting
            service="registry",
            jetstream=jetstream_getter(js),
        )
        last = cloud_event(UPDATED, household_id="9", area_code=KAIPING_VILLAGE)
        await publish(js, last)
        await deliver_until(restarted, db, lambda: len(receiver.events) >= 4, what="the next event")
        for _ in range(3):
            assert (await restarted.run(db)).delivered == 0
    assert [e["id"] for e in receiver.events] == [e["id"] for e in [before[3], *after, last]]


@pytest.fixture
def process_logging() -> Iterator[None]:
    """configure_logging points the root logger at this test's captured stdout: put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_webhook_delivery_writes_no_httpx_line_unless_debug(
    js: JetStreamContext, db: Database, capsys: pytest.CaptureFixture[str], process_logging: None
) -> None:
    """httpx logs each request it sends at INFO ("HTTP Request: POST … 200 OK"): one line per webhook
    POST floods the logs at a province's rate. At INFO the delivery writes none; at DEBUG (the
    operator asked for it) the line is there."""
    with running_receiver(Receiver()) as receiver:
        delivery = FeedDelivery(
            subscription(receiver, "quiet-logs"), service="registry", jetstream=jetstream_getter(js)
        )

        async def client_lines(level: str) -> list[dict[str, Any]]:
            """The httpx/httpcore log lines of one event delivered with the service's logging at ``level``."""
            configure_logging("registry", level=level)
            capsys.readouterr()
            wanted = len(receiver.events) + 1
            await publish(js, cloud_event(REGISTERED, household_id=str(wanted), area_code=KAIPING_VILLAGE))
            await deliver_until(delivery, db, lambda: len(receiver.events) >= wanted, what="one more event")
            out = capsys.readouterr().out.splitlines()
            lines = [json.loads(line) for line in out if line.startswith("{")]
            return [line for line in lines if str(line.get("logger")).split(".")[0] in ("httpx", "httpcore")]

        debug = await client_lines("DEBUG")
        assert any(line["level"] == "info" and "POST" in str(line["event"]) for line in debug), debug
        assert await client_lines("INFO") == []
