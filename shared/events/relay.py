"""Outbox relay: claims unsent rows with FOR UPDATE SKIP LOCKED and publishes them to JetStream.

Safe with several replicas (each claims different rows). ``Nats-Msg-Id`` = event id, so a row that
was published but whose ``published_at`` update was lost (crash, outage) is de-duplicated by
JetStream when it is sent again. A NATS outage only delays events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import structlog
from nats.js import JetStreamContext
from sqlalchemy import Text, cast, func, literal, select, update

from shared import tracing
from shared.clock import clock
from shared.db import Database
from shared.observability import EVENTS_PUBLISHED, OUTBOX_UNSENT
from shared.tables import outbox

__all__ = ["OutboxRelay"]

log = structlog.get_logger(__name__)


def _outcome(future: asyncio.Future[Any]) -> object:
    if future.cancelled():
        return TimeoutError("no acknowledgement from JetStream")
    return future.exception() or future.result()


def _trace(traceparent: str | None, tracestate: str | None) -> dict[str, str]:
    trace = {"traceparent": traceparent, "tracestate": tracestate}
    return {k: v for k, v in trace.items() if v is not None}


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        js: JetStreamContext,
        *,
        service: str,
        batch_size: int = 200,
        idle_sleep_s: float = 0.2,
        publish_timeout_s: float = 5.0,
    ) -> None:
        self.db = db
        self.js = js
        self.service = service
        self.batch_size = batch_size
        self.idle_sleep_s = idle_sleep_s
        self.publish_timeout_s = publish_timeout_s
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        published = 0
        async with self.db.transaction() as session:
            # The envelope goes out as PostgreSQL renders the stored JSON: no decode and re-encode
            # in Python (a fifth of the relay's time during an import). Only the trace context is
            # picked out of it, and only when tracing is on.
            traced = tracing.enabled()
            rows = (
                await session.execute(
                    select(
                        outbox.c.id,
                        outbox.c.type,
                        cast(outbox.c.envelope, Text).label("body"),
                        outbox.c.request_id,
                        (outbox.c.envelope["traceparent"].astext if traced else literal(None)).label("tp"),
                        (outbox.c.envelope["tracestate"].astext if traced else literal(None)).label("ts"),
                    )
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            # Publish the whole batch pipelined (one fsync round on the server instead of one per
            # event), then record which ones JetStream acknowledged. Failed rows stay unsent and
            # go again next round; Nats-Msg-Id makes a repeat of an acknowledged one harmless.
            results = await self._publish_all(rows)
            sent = [r.id for r, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)]
            failed = [
                (r.id, res) for r, res in zip(rows, results, strict=True) if isinstance(res, BaseException)
            ]
            if sent:
                await session.execute(
                    update(outbox).where(outbox.c.id.in_(sent)).values(published_at=clock.now())
                )
            for event_id, exc in failed:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id == event_id)
                    .values(attempts=outbox.c.attempts + 1, last_error=repr(exc)[:500])
                )
            if failed:
                log.warning("outbox_publish_failed", count=len(failed), error=repr(failed[0][1]))
            published = len(sent)
        if published:
            EVENTS_PUBLISHED.labels(self.service).inc(published)
        if len(rows) < self.batch_size:
            OUTBOX_UNSENT.labels(self.service).set(len(rows) - published)
        else:
            await self._report_backlog()
        return published

    async def _report_backlog(self) -> None:
        async with self.db.transaction() as session:
            unsent = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            OUTBOX_UNSENT.labels(self.service).set((await session.execute(unsent)).scalar_one())

    async def _publish_all(self, rows: Sequence[Any]) -> list[object]:
        """Send every row, then wait for JetStream's acknowledgements: each row's PubAck, or the
        error that row failed with. The deadline is on progress, not on the batch: while acks keep
        coming (an fsync per message on a busy server: hundreds of ms for a batch), the batch
        goes on; only ``publish_timeout_s`` without any ack gives up on the rest (they are
        published again next round). A fixed timeout per message, all sent at once, timed the
        last ones of a batch out whenever the server was slower than the timeout for the batch."""
        futures: list[asyncio.Future[Any]] = []
        for r in rows:
            try:
                futures.append(await self._send(r.id, r.type, r.body, r.request_id, _trace(r.tp, r.ts)))
            except Exception as exc:  # not sent (disconnected): failed, like an unacknowledged one
                failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
                failed.set_exception(exc)
                futures.append(failed)
        pending = {f for f in futures if not f.done()}
        while pending:
            done, pending = await asyncio.wait(pending, timeout=self.publish_timeout_s)
            if not done:
                for f in pending:
                    f.cancel()  # frees its slot; the row stays unsent
                break
        return [_outcome(f) for f in futures]

    async def _send(
        self, event_id: Any, subject: str, body: str, rid: str | None, trace: dict[str, str]
    ) -> asyncio.Future[Any]:
        headers = {"Nats-Msg-Id": str(event_id), "Content-Type": "application/cloudevents+json"}
        if rid:
            headers["X-Request-ID"] = rid
        with tracing.publish_span(subject, trace, headers):  # adds traceparent when tracing is on
            return await self.js.publish_async(
                subject, body.encode(), headers=headers, wait_stall=self.publish_timeout_s
            )

    async def run(self) -> None:
        backoff = self.idle_sleep_s
        while not self._stopping.is_set():
            try:
                n = await self.run_once()
                backoff = self.idle_sleep_s
                if n == self.batch_size:
                    continue
            except Exception as exc:  # database or bus down: wait and try again, never die
                log.warning("outbox_relay_error", error=repr(exc))
                backoff = min(backoff * 2, 5.0)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
            except TimeoutError:
                pass
