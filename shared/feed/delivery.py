"""The push feed: batches of CloudEvents POSTed to each configured webhook, at least once, in order.

Per subscription, a durable pull consumer ``feed-<name>`` on the service's stream (filter = the
subscription's subjects) tracks what the receiver has accepted. One round (a periodic job):

1. take the subscription's PostgreSQL advisory lock, or leave it to the replica that holds it;
2. fetch a batch, sort it by stream sequence, drop events outside the area prefix;
3. POST the rest as ``application/cloudevents-batch+json`` with an HMAC signature;
4. 2xx: ack the batch. Anything else: nak it with a growing delay and record the error.

Order: ``max_ack_pending`` = batch size, so every unacknowledged event fits in one fetch, and a
batch is only posted when it holds *all* of them (a fetch that comes back with newer events while
older ones are still waiting out their delay is handed back, not posted). Nothing is acked before
the receiver said 2xx, so a crash or an outage can only repeat events, never lose them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.errors import FetchTimeoutError, NotFoundError

from shared.db import Database
from shared.events.streams import stream_for
from shared.feed.config import FeedSubscription, check_subject_filter, event_area
from shared.feed.lock import advisory_key, try_advisory_lock
from shared.feed.metrics import FEED_DELIVERED, FEED_FAILURES, FEED_PENDING
from shared.feed.signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    SUBSCRIPTION_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from shared.feed.status import DeliveryStatus, StatusStore, pending_of

__all__ = ["BATCH_CONTENT_TYPE", "FeedDelivery", "RoundResult"]

BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
log = structlog.get_logger(__name__)

JetStreamGetter = Callable[[], Awaitable[JetStreamContext]]


class RoundResult:
    """What one round did (tests and logs read it)."""

    def __init__(self) -> None:
        self.locked_out = False
        self.delivered = 0
        self.skipped = 0
        self.failed_batches = 0
        self.deferred = False

    def __repr__(self) -> str:
        return (
            f"RoundResult(locked_out={self.locked_out}, delivered={self.delivered}, "
            f"skipped={self.skipped}, failed_batches={self.failed_batches}, deferred={self.deferred})"
        )


def _wall_now() -> datetime:
    """The machine's time, not the business clock: a retry delay and the delivery times are the
    transport's, in step with JetStream's redelivery and the receiver's signature window, and go on
    while the business clock is pinned (``JINGZHUN_CLOCK_FROZEN_AT``)."""
    return datetime.now(UTC)


class FeedDelivery:
    """Delivers one subscription; ``run(db, now)`` is one round (a :class:`PeriodicJob`)."""

    def __init__(
        self,
        subscription: FeedSubscription,
        *,
        service: str,
        jetstream: JetStreamGetter,
        stream_replicas: int = 1,
        round_budget_s: float = 20.0,
        fetch_timeout_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # A filter outside the service's own stream is a configuration error: fail at start-up.
        check_subject_filter(service, subscription.subjects)
        self.sub = subscription
        self.service = service
        self.stream = stream_for(service)
        self._jetstream = jetstream
        self.stream_replicas = stream_replicas
        self.round_budget_s = round_budget_s
        self.fetch_timeout_s = fetch_timeout_s
        self._transport = transport
        self.lock_key = advisory_key("feed", service, subscription.name)
        self._bound: tuple[JetStreamContext, JetStreamContext.PullSubscription] | None = None

    @property
    def job_name(self) -> str:
        return f"feed:{self.sub.name}"

    async def run(self, db: Database, now: datetime | None = None) -> RoundResult:
        result = RoundResult()
        async with try_advisory_lock(db, self.lock_key) as held:
            if not held:
                result.locked_out = True
                return result
            await self._round(result)
        return result

    # --------------------------------------------------------------------------------- binding

    def consumer_config(self, existing: ConsumerConfig | None = None) -> ConsumerConfig:
        """The durable's settings; where it starts is the existing durable's (JetStream cannot
        move a durable's start, and the position it reached is what counts)."""
        if existing is not None:
            start = (existing.deliver_policy, existing.opt_start_seq)
        elif self.sub.start_after is not None:
            start = (DeliverPolicy.BY_START_SEQUENCE, self.sub.start_after + 1)
        else:
            start = (DeliverPolicy.ALL, None)
        return ConsumerConfig(
            name=self.sub.durable,
            durable_name=self.sub.durable,
            deliver_policy=start[0],
            opt_start_seq=start[1],
            ack_policy=AckPolicy.EXPLICIT,
            # Longer than a POST may take, so a batch in flight is never redelivered meanwhile.
            ack_wait=self.sub.timeout_s + 30,
            max_deliver=-1,
            max_ack_pending=self.sub.batch_size,
            filter_subject=self.sub.subjects,
            num_replicas=self.stream_replicas,
        )

    async def _subscription(self) -> tuple[JetStreamContext, JetStreamContext.PullSubscription]:
        js = await self._jetstream()
        if self._bound is not None and self._bound[0] is js:
            return self._bound
        # Create, or update the durable when ops changed the filter or the batch size.
        try:
            existing: ConsumerConfig | None = (await js.consumer_info(self.stream, self.sub.durable)).config
        except NotFoundError:
            existing = None
        await js.add_consumer(self.stream, self.consumer_config(existing))
        psub = await js.pull_subscribe_bind(durable=self.sub.durable, stream=self.stream)
        self._bound = (js, psub)
        return self._bound

    # ----------------------------------------------------------------------------------- round

    async def _round(self, result: RoundResult) -> None:
        js, psub = await self._subscription()
        store = StatusStore(js, service=self.service, replicas=self.stream_replicas)
        status = await store.get(self.sub.name)
        now = _wall_now()
        # A promise further out than the longest delay (a pinned clock's, or one from before
        # retry_max_s was lowered) is not waited for.
        latest = now + timedelta(seconds=self.sub.retry_max_s + 1)
        if status.retry_at is not None and now < status.retry_at <= latest:
            result.deferred = True
            await self._report_pending(psub)
            return
        deadline = time.monotonic() + self.round_budget_s
        async with httpx.AsyncClient(timeout=self.sub.timeout_s, transport=self._transport) as client:
            while time.monotonic() < deadline:
                info = await self._report_pending(psub)
                waiting = info.num_ack_pending or 0
                if (info.num_pending or 0) + waiting == 0:
                    return
                try:
                    msgs = await psub.fetch(self.sub.batch_size, timeout=self.fetch_timeout_s)
                except (FetchTimeoutError, TimeoutError):
                    return  # older events are still waiting out their retry delay
                msgs.sort(key=lambda m: m.metadata.sequence.stream)
                if sum(1 for m in msgs if m.metadata.num_delivered > 1) < waiting:
                    # Newer events came back before older ones finished their delay: hand them
                    # back so they are posted after the older ones, never before.
                    await _nak_all(msgs, delay=None)
                    result.deferred = True
                    return
                if not await self._deliver_batch(client, store, status, msgs, result):
                    return

    async def _deliver_batch(
        self,
        client: httpx.AsyncClient,
        store: StatusStore,
        status: DeliveryStatus,
        msgs: list[Msg],
        result: RoundResult,
    ) -> bool:
        events: list[bytes] = []
        for msg in msgs:
            event = _parse(msg.data)
            if event is None:
                log.error("feed_bad_message", subscription=self.sub.name, subject=msg.subject)
                continue
            if self.sub.covers(event_area(event)):
                events.append(msg.data)
        if not events:
            await _ack_all(msgs)
            result.skipped += len(msgs)
            return True
        delivery_id = str(uuid.uuid4())
        error = await self._post(client, delivery_id, b"[" + b",".join(events) + b"]")
        now = _wall_now()
        if error is None:
            await _ack_all(msgs)
            result.delivered += len(events)
            result.skipped += len(msgs) - len(events)
            FEED_DELIVERED.labels(self.service, self.sub.name).inc(len(events))
            status.last_delivery_at = now
            status.last_delivery_id = delivery_id
            status.last_delivered_seq = msgs[-1].metadata.sequence.stream
            status.delivered_events += len(events)
            status.consecutive_failures = 0
            status.retry_at = None
            await store.put(self.sub.name, status)
            return True
        status.consecutive_failures += 1
        delay = retry_delay(self.sub, status.consecutive_failures)
        # Nak first, then promise the retry a little after the server will have it ready again.
        await _nak_all(msgs, delay=delay)
        result.failed_batches += 1
        FEED_FAILURES.labels(self.service, self.sub.name).inc()
        status.last_error = error
        status.last_error_at = now
        status.retry_at = now + timedelta(seconds=delay + 0.2)
        await store.put(self.sub.name, status)
        log.warning(
            "feed_delivery_failed",
            subscription=self.sub.name,
            delivery_id=delivery_id,
            error=error,
            retry_in_s=delay,
            failures=status.consecutive_failures,
        )
        return False

    async def _post(self, client: httpx.AsyncClient, delivery_id: str, body: bytes) -> str | None:
        """POST one batch; None on 2xx, else what went wrong (kept as the subscription's last error)."""
        timestamp = int(time.time())
        headers = {
            "Content-Type": f"{BATCH_CONTENT_TYPE}; charset=utf-8",
            SIGNATURE_HEADER: sign(self.sub.secret.get_secret_value(), timestamp, body),
            TIMESTAMP_HEADER: str(timestamp),
            DELIVERY_HEADER: delivery_id,
            SUBSCRIPTION_HEADER: self.sub.name,
        }
        try:
            response = await client.post(str(self.sub.url), content=body, headers=headers)
        except httpx.TimeoutException:
            return f"timed out after {self.sub.timeout_s:g}s"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"

    async def _report_pending(self, psub: JetStreamContext.PullSubscription) -> ConsumerInfo:
        info = await psub.consumer_info()
        FEED_PENDING.labels(self.service, self.sub.name).set(pending_of(info))
        return info


def retry_delay(sub: FeedSubscription, failures: int) -> float:
    """Doubling from ``retry_base_s`` up to ``retry_max_s``. The exponent is capped: a receiver down
    for days fails over a thousand times, and ``2 ** 1024`` no longer converts to a float."""
    doubled: float = sub.retry_base_s * 2 ** min(failures - 1, 64)
    return min(doubled, sub.retry_max_s)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(raw)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


async def _ack_all(msgs: list[Msg]) -> None:
    # ack_sync: the next fetch must not see these again, and a lost ack must not pass unnoticed.
    await asyncio.gather(*(m.ack_sync(timeout=5) for m in msgs))


async def _nak_all(msgs: list[Msg], *, delay: float | None) -> None:
    for msg in msgs:  # in stream order, so they queue for redelivery in that order
        await msg.nak(delay=delay)
