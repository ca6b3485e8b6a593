"""Outbox relay: claims unsent rows with FOR UPDATE SKIP LOCKED and publishes them to JetStream.

Safe with several replicas (each claims different rows). ``Nats-Msg-Id`` = event id, so a row that
was published but whose ``published_at`` update was lost (crash, outage) is de-duplicated by
JetStream when it is sent again. A NATS outage only delays events.

How a claimed batch goes out: as JetStream **atomic batches** (nats-server 2.12+, streams with
``allow_atomic``, see ``shared.events.streams``): up to ``ATOMIC_MAX`` messages sent back to back
and stored all together or not at all, with one write to disk and one acknowledgement for the
batch instead of one per message (with ``sync_interval: always`` that fsync per message was the
relay's ceiling: ~2,500 msg/s with 500 in flight against ~8,000-12,000 in batches of 500-1,000).
JetStream refuses a whole atomic batch that holds an id it already stored (a row re-sent after a
crash between the publish and the commit that marks it sent); such a batch, and any batch the
server refuses or does not understand (a server before 2.12, a stream without ``allow_atomic``), is
sent again at once message by message, pipelined, each with its own acknowledgement, where
``Nats-Msg-Id`` drops the repeats one by one.

Order: one relay publishes the rows it claims in outbox ``seq`` order, and each batch lands in the
stream in that order, contiguously. If a batch fails (no acknowledgement, disconnected), the rows
after it are not sent in that round: they wait, and go after it, in ``seq`` order, next round. Only
on the message-by-message path can a single refused message fall behind later ones. Rows claimed by
different replicas have no order between them (as with any SKIP LOCKED relay).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.errors import APIError
from sqlalchemy import Text, any_, bindparam, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from shared import tracing
from shared.clock import clock
from shared.db import Database, read_rows
from shared.events.envelope import service_of
from shared.observability import EVENTS_PUBLISHED, OUTBOX_UNSENT
from shared.tables import outbox

__all__ = ["ATOMIC_MAX", "OutboxRelay"]

log = structlog.get_logger(__name__)

# nats-server's default ceiling on the messages of one atomic batch (jetstream.limits.batch.max_msgs).
ATOMIC_MAX = 1000
# JetStream's error code for a stream that does not take atomic batches (no ``allow_atomic``).
_ATOMIC_DISABLED = 10174
# How often the backlog gauge is recounted while the relay is busy (a count over the unsent rows).
_BACKLOG_EVERY_S = 1.0


# Is there a row to publish? (The first unsent one by the partial index ix_outbox_unsent, if any.)
_ANY_UNSENT = select(outbox.c.seq).where(outbox.c.published_at.is_(None)).limit(1)


class _Refused(Exception):
    """The server did not store a batch as one (nothing of it is stored as a batch)."""

    def __init__(self, reason: object, *, unsupported: bool = False) -> None:
        super().__init__(reason)
        self.unsupported = unsupported


def _outcome(future: asyncio.Future[Any]) -> object:
    if future.cancelled():
        return TimeoutError("no acknowledgement from JetStream")
    return future.exception() or future.result()


def _trace(traceparent: str | None, tracestate: str | None) -> dict[str, str]:
    trace = {"traceparent": traceparent, "tracestate": tracestate}
    return {k: v for k, v in trace.items() if v is not None}


def _headers(row: Any) -> dict[str, str]:
    headers = {"Nats-Msg-Id": str(row.id), "Content-Type": "application/cloudevents+json"}
    if row.request_id:
        headers["X-Request-ID"] = row.request_id
    return headers


def _runs(rows: Sequence[Any]) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive rows bound for one stream, at most ``ATOMIC_MAX`` each (an
    atomic batch goes to a single stream)."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if (
            i == len(rows)
            or i - start == ATOMIC_MAX
            or service_of(rows[i].type) != service_of(rows[start].type)
        ):
            runs.append((start, i))
            start = i
    return runs


@dataclass(eq=False)
class OutboxRelay:
    db: Database
    js: JetStreamContext
    _: KW_ONLY
    service: str
    batch_size: int = ATOMIC_MAX
    idle_sleep_s: float = 0.2
    publish_timeout_s: float = 5.0
    # Atomic batches until the server shows it has none (then message by message from then on).
    atomic: bool = True
    _stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _backlog_counted: float = field(default=0.0, init=False, repr=False)

    def stop(self) -> None:
        self._stopping.set()

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        if not await self._anything_unsent():
            OUTBOX_UNSENT.labels(self.service).set(0)
            return 0
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
            # Rows JetStream acknowledged are marked sent; failed ones stay unsent and go again
            # next round (Nats-Msg-Id makes a repeat of an acknowledged one harmless); rows after a
            # failed batch were not sent at all and are left as they are.
            results = await self._publish(rows)
            sent = [r.id for r, res in zip(rows, results, strict=True) if _acked(res)]
            failed: dict[str, list[Any]] = {}
            for r, res in zip(rows, results, strict=True):
                if isinstance(res, BaseException):
                    failed.setdefault(repr(res)[:500], []).append(r.id)
            if sent:
                await session.execute(
                    update(outbox).where(outbox.c.id == any_(_ids(sent))).values(published_at=clock.now())
                )
            for error, ids in failed.items():
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id == any_(_ids(ids)))
                    .values(attempts=outbox.c.attempts + 1, last_error=error)
                )
            if failed:
                count = sum(len(ids) for ids in failed.values())
                log.warning("outbox_publish_failed", count=count, error=next(iter(failed)))
            published = len(sent)
        if published:
            EVENTS_PUBLISHED.labels(self.service).inc(published)
        if len(rows) < self.batch_size:
            OUTBOX_UNSENT.labels(self.service).set(len(rows) - published)
        elif time.monotonic() - self._backlog_counted > _BACKLOG_EVERY_S:
            await self._report_backlog()
        return published

    async def _anything_unsent(self) -> bool:
        """Whether any row waits, asked the cheapest way: one prepared statement on a pooled
        connection, no transaction, no lock (``shared.db.read_rows``), over the partial index of
        unsent rows. An idle relay asks this five times a second; the claiming round (a transaction,
        a locking SELECT of the envelopes, their publication) runs only when the answer is yes. A row
        committed just after the answer is claimed next round, as it would have been anyway."""
        async with self.db.sessionmaker() as session:
            return bool(await read_rows(session, _ANY_UNSENT, {}))

    async def _report_backlog(self) -> None:
        self._backlog_counted = time.monotonic()
        async with self.db.transaction() as session:
            unsent = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            OUTBOX_UNSENT.labels(self.service).set((await session.execute(unsent)).scalar_one())

    async def _publish(self, rows: Sequence[Any]) -> list[object]:
        """Each row's outcome: its acknowledgement, the error it failed with, or None (not sent,
        because an earlier batch failed: nothing overtakes a row that did not get through)."""
        results: list[object] = [None] * len(rows)
        for start, end in _runs(rows):
            outcome = await self._publish_run(rows[start:end])
            results[start:end] = outcome
            if any(isinstance(o, BaseException) for o in outcome):
                break
        return results

    async def _publish_run(self, rows: Sequence[Any]) -> list[object]:
        if self.atomic:
            try:
                return await self._publish_atomic(rows)
            except _Refused as refused:
                # Mostly a re-send after a crash (ids the stream already holds): message by
                # message below, where each repeat is dropped alone.
                if refused.unsupported:
                    self.atomic = False
                    log.warning("outbox_atomic_batches_unsupported", reason=str(refused))
                else:
                    log.info("outbox_batch_refused", count=len(rows), reason=str(refused))
            except Exception as exc:  # no acknowledgement, disconnected: the whole batch failed
                return [exc] * len(rows)
        return await self._publish_pipelined(rows)

    async def _publish_atomic(self, rows: Sequence[Any]) -> list[object]:
        """Send ``rows`` as one atomic batch; every row's outcome is the batch's acknowledgement."""
        nc = self.js._nc  # the connection JetStream publishes on (no public accessor in nats-py)
        batch = uuid.uuid4().hex
        last = len(rows) - 1
        reply = None
        for i, r in enumerate(rows):
            headers = _headers(r)
            headers["Nats-Batch-Id"] = batch
            headers["Nats-Batch-Sequence"] = str(i + 1)
            with tracing.publish_span(r.type, _trace(r.tp, r.ts), headers):
                if i < last:
                    await nc.publish(r.type, r.body.encode(), headers=headers)
                else:
                    headers["Nats-Batch-Commit"] = "1"
                    reply = await nc.request(
                        r.type, r.body.encode(), timeout=self.publish_timeout_s, headers=headers
                    )
        assert reply is not None
        ack = json.loads(reply.data)
        if "error" in ack:
            error = APIError(**ack["error"])
            raise _Refused(error, unsupported=error.err_code == _ATOMIC_DISABLED)
        if ack.get("batch") != batch or ack.get("count") != len(rows):
            # A server without atomic batches stores each message alone and acknowledges only the
            # last: the others are unconfirmed, so they are sent again one by one.
            raise _Refused(f"not an atomic batch acknowledgement: {ack}", unsupported=True)
        return [ack] * len(rows)

    async def _publish_pipelined(self, rows: Sequence[Any]) -> list[object]:
        """Send every row, then wait for JetStream's acknowledgements: each row's PubAck, or the
        error that row failed with. The deadline is on progress, not on the batch: while acks keep
        coming (an fsync per message on a busy server: hundreds of ms for a batch), the batch
        goes on; only ``publish_timeout_s`` without any ack gives up on the rest (they are
        published again next round). A fixed timeout per message, all sent at once, timed the
        last ones of a batch out whenever the server was slower than the timeout for the batch."""
        futures: list[asyncio.Future[Any]] = []
        for r in rows:
            try:
                futures.append(await self._send(r))
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

    async def _send(self, row: Any) -> asyncio.Future[Any]:
        headers = _headers(row)
        with tracing.publish_span(row.type, _trace(row.tp, row.ts), headers):  # traceparent if on
            return await self.js.publish_async(
                row.type, row.body.encode(), headers=headers, wait_stall=self.publish_timeout_s
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


def _acked(result: object) -> bool:
    return result is not None and not isinstance(result, BaseException)


def _ids(ids: list[Any]) -> Any:
    """One array parameter for ``id = ANY(...)`` (not one bound parameter per row)."""
    return bindparam(None, ids, type_=ARRAY(UUID(as_uuid=True)))
