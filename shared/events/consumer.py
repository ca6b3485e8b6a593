"""Durable pull consumers with an inbox: each event's effect happens at most once.

For every message: open a transaction, insert (consumer, event id) into ``inbox`` (skip if it is
already there), run the handler in the same transaction, commit, then ack. A redelivery after a
crash between commit and ack finds the inbox row and is only acked. A handler error rolls back
and the message is redelivered after a delay.

A poison event (the handler fails every time) would be retried forever. So after the failure of
delivery ``max_attempts`` the message is copied to the ``DEADLETTER`` stream
(``shared.events.deadletter``) and, once that copy is acknowledged, terminated: it is never
redelivered, and the consumer goes on with the other events. If the database itself is down the
event is not to blame, and it is retried instead.

Messages are applied in batches: the messages of one fetch (up to ``batch``) share one
transaction, their inbox rows inserted by one statement (one array per column, ``shared.bulk``),
and are acked after its commit. While a full batch is applied the next one is fetched (applied
after it, in stream order); on stop, a batch fetched ahead is handed back at once (nak). If a
handler of the batch fails, the batch is rolled back, the failing event takes the path above
alone (retried later, or dead-lettered on its last attempt) and the others are applied again
without it; anything else failing (the inbox insert, the commit) sends each message the path above
alone.

A handler may apply many events at once (``Batched``): consecutive events of a fetch that map to
the same ``Batched`` handler are given to it together, so a projection writes the batch's rows
with one ``INSERT … ON CONFLICT`` instead of one ORM round trip per event. If it fails, the batch
is rolled back and every message goes the path above alone (``Batched`` called with one event),
so a poison event is still isolated, retried and dead-lettered on its own.

Typed contracts (``shared.events.contracts``): given ``contracts``, every event is parsed into its
contract before its handler runs. An event whose type/version has no contract here, or whose payload
does not validate, is dead-lettered at once with the reason (``ContractViolation``): it would fail
the same way on every delivery, so it is not retried. A handler that parses the event itself
(``Contract.of(event)``) gets the same treatment, and so does a message that is not a CloudEvents
envelope at all (its dead letter has no event id or type; the reason says what did not parse).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import KW_ONLY, dataclass, field

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError, FetchTimeoutError
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bulk import unnest_insert
from shared.context import request_id_var
from shared.db import Database
from shared.events.contracts import ContractViolation, EventContract, parse
from shared.events.deadletter import describe_error, publish_dead_letter
from shared.events.envelope import CloudEvent, service_of
from shared.events.streams import ensure_stream, stream_for
from shared.observability import CONSUMER_PENDING, EVENTS_CONSUMED, EVENTS_DEAD_LETTERED
from shared.tables import inbox
from shared.tracing import consumer_span

__all__ = ["Batched", "ConsumerRunner", "Handler", "handle_event"]

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
ManyHandler = Callable[[AsyncSession, Sequence[CloudEvent]], Awaitable[None]]
Contracts = Mapping[str, type[EventContract]]
log = structlog.get_logger(__name__)


class Batched:
    """A handler that applies a run of events in one go (in their stream order, every one new to
    the inbox); alone it is called with a run of one. ``name`` shows in logs and spans."""

    def __init__(self, many: ManyHandler, name: str | None = None) -> None:
        self.many = many
        self.name = name or getattr(many, "__name__", "batched")

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        await self.many(session, [event])

    def __repr__(self) -> str:
        return f"Batched({self.name})"


async def handle_event(
    db: Database,
    consumer: str,
    event: CloudEvent,
    handlers: Mapping[str, Handler],
    contracts: Contracts | None = None,
) -> bool:
    """Apply one event once. Returns False when it had been handled before (a duplicate).

    With ``contracts``, an event of a handled type is parsed into its contract first
    (``ContractViolation`` if it cannot be)."""
    handler = handlers.get(event.type)
    if handler is not None and contracts is not None:
        parse(event, contracts)
    async with db.transaction() as session:
        inserted = await session.execute(
            insert(inbox)
            .values(consumer=consumer, event_id=event.id, event_type=event.type)
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        if inserted.first() is None:
            return False
        if handler is not None:
            await handler(session, event)
    return True


@contextmanager
def _request_of(msg: Msg, event: CloudEvent) -> Iterator[None]:
    """The request id that caused the event (its header, else the envelope) in the logs."""
    token = request_id_var.set((msg.headers or {}).get("X-Request-ID") or event.requestid)
    try:
        yield
    finally:
        request_id_var.reset(token)


def _span(durable: str, msg: Msg, event: CloudEvent) -> AbstractContextManager[None]:
    """The consumer span of one event, continuing the producer's trace."""
    trace_context = {"traceparent": event.traceparent, "tracestate": event.tracestate}
    return consumer_span(durable, msg.subject, msg.headers, trace_context)


class _BatchedFailed(Exception):
    """A ``Batched`` handler failed on a run of events: which one is to blame is not known."""


class _HandlerFailed(Exception):
    """A handler of a batch failed: which message, and why."""

    def __init__(self, msg: Msg, event: CloudEvent, error: Exception) -> None:
        super().__init__(repr(error))
        self.msg, self.event, self.error = msg, event, error


@dataclass(eq=False)
class ConsumerRunner:
    """Consumes the event types in ``handlers`` from their producers' streams.

    One durable consumer per (this service, producing stream); every replica of the service binds
    to the same durable, so JetStream spreads messages across replicas.
    """

    db: Database
    js: JetStreamContext
    _: KW_ONLY
    service: str
    handlers: Mapping[str, Handler]
    batch: int = 200
    fetch_timeout_s: float = 1.0
    retry_delay_s: float = 2.0
    retry_max_delay_s: float = 300.0
    stream_replicas: int = 1
    max_attempts: int = 10
    contracts: Contracts | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.handlers = dict(self.handlers)

    def durable_name(self, stream: str) -> str:
        return f"{self.service}-from-{stream.lower()}"

    def subjects_by_stream(self) -> dict[str, list[str]]:
        by_stream: dict[str, list[str]] = {}
        for event_type in sorted(self.handlers):
            by_stream.setdefault(stream_for(service_of(event_type)), []).append(event_type)
        return by_stream

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        tasks = [
            asyncio.create_task(self._run_stream(stream, subjects))
            for stream, subjects in self.subjects_by_stream().items()
        ]
        if not tasks:
            return
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()

    async def _bind(self, stream: str, subjects: list[str]) -> JetStreamContext.PullSubscription:
        durable = self.durable_name(stream)
        await ensure_stream(self.js, stream, replicas=self.stream_replicas)
        config = ConsumerConfig(
            durable_name=durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=30,
            max_deliver=-1,
            filter_subjects=subjects,
        )
        try:
            await self.js.add_consumer(stream, config)
        except APIError as exc:
            # Another replica created (or updated) the same durable: bind to it. If it really is
            # missing, the bind below fails and the fetch loop tries again later.
            log.info("consumer_add_refused", consumer=durable, stream=stream, error=repr(exc))
        return await self.js.pull_subscribe_bind(durable=durable, stream=stream)

    async def _run_stream(self, stream: str, subjects: list[str]) -> None:
        durable = self.durable_name(stream)
        sub: JetStreamContext.PullSubscription | None = None
        next_lag_report = 0.0
        # The next batch is fetched while this one is applied (they are applied in fetch order):
        # the fetch round trip to NATS overlaps the transaction instead of adding to it.
        ahead: asyncio.Task[list[Msg]] | None = None
        try:
            while not self._stopping.is_set():
                try:
                    if sub is None:
                        sub = await self._bind(stream, subjects)
                    if time.monotonic() >= next_lag_report:
                        info = await sub.consumer_info()
                        CONSUMER_PENDING.labels(self.service, durable).set(info.num_pending or 0)
                        next_lag_report = time.monotonic() + 10
                    fetching, ahead = ahead, None
                    msgs = await (fetching or sub.fetch(self.batch, timeout=self.fetch_timeout_s))
                except (FetchTimeoutError, TimeoutError):
                    continue
                except Exception as exc:  # NATS down or the consumer vanished: rebind later
                    log.warning("consumer_fetch_failed", consumer=durable, error=repr(exc))
                    sub = None
                    await asyncio.sleep(self.retry_delay_s)
                    continue
                if len(msgs) == self.batch:  # a backlog: the next batch is likely waiting
                    ahead = asyncio.create_task(sub.fetch(self.batch, timeout=self.fetch_timeout_s))
                await self._process_batch(durable, msgs)
        finally:
            if ahead is not None:
                await self._give_back(ahead)

    @staticmethod
    async def _give_back(ahead: asyncio.Task[list[Msg]]) -> None:
        """Stopping with a batch fetched ahead: hand it back at once (nak), not after ack_wait."""
        try:
            msgs = await asyncio.shield(ahead)
        except BaseException:
            ahead.cancel()
            return
        for msg in msgs:
            try:
                await msg.nak()
            except Exception as exc:  # redelivered after ack_wait anyway
                log.info("consumer_give_back_failed", error=repr(exc))

    async def _process_batch(self, durable: str, msgs: list[Msg]) -> None:
        """One transaction for the batch; on any failure, each message alone (``_process``)."""
        if len(msgs) == 1:
            await self._process(durable, msgs[0])
            return
        parsed: list[tuple[Msg, CloudEvent]] = []
        for msg in msgs:
            try:
                parsed.append((msg, CloudEvent.model_validate_json(msg.data)))
            except ValueError:
                await self._process(durable, msg)  # terms it, as it would alone
        if not parsed:
            return
        try:
            fresh = await self._apply_together(durable, parsed)
        except _HandlerFailed as failed:
            # The batch is rolled back. The failing event takes its usual path (retry later, or
            # the dead letters on its last attempt); the others go again, without it.
            log.info("consumer_batch_split", consumer=durable, size=len(parsed), event_id=failed.event.id)
            with _request_of(failed.msg, failed.event):
                await self._failed(durable, failed.msg, failed.event, failed.error)
            await self._process_batch(durable, [m for m, _ in parsed if m is not failed.msg])
            return
        except Exception as exc:  # a Batched run, the inbox insert, the commit: each alone
            log.info("consumer_batch_split", consumer=durable, size=len(parsed), error=type(exc).__name__)
            for msg, _ in parsed:
                await self._process(durable, msg)
            return
        for msg, event in parsed:
            outcome = "handled" if event.id in fresh else "duplicate"
            EVENTS_CONSUMED.labels(self.service, durable, outcome).inc()
            try:
                await msg.ack()
            except Exception as exc:
                log.warning("consumer_ack_failed", consumer=durable, event_id=event.id, error=repr(exc))

    async def _apply_together(self, durable: str, parsed: list[tuple[Msg, CloudEvent]]) -> set[str]:
        """The batch's inbox rows in one INSERT, then each new event's handler, in one transaction;
        the ids that were new."""
        async with self.db.transaction() as session:
            unique = {e.id: e.type for _, e in parsed}
            rows = [{"consumer": durable, "event_id": i, "event_type": t} for i, t in unique.items()]
            stmt, params = unnest_insert(inbox, rows)  # one statement, one array per column
            inserted = await session.execute(
                stmt.on_conflict_do_nothing().returning(inbox.c.event_id), params
            )
            fresh = {str(event_id) for event_id in inserted.scalars()}
            seen: set[str] = set()
            run: list[tuple[Msg, CloudEvent]] = []  # consecutive events of one Batched handler
            for msg, event in parsed:
                handler = self.handlers.get(event.type)
                if event.id not in fresh or event.id in seen or handler is None:
                    continue
                seen.add(event.id)  # the same event twice in one fetch: applied once
                if run and handler is not self.handlers.get(run[0][1].type):
                    await self._apply_run(durable, session, run)
                    run = []
                if isinstance(handler, Batched):
                    self._parse(msg, event)
                    run.append((msg, event))
                    continue
                try:
                    with _request_of(msg, event), _span(durable, msg, event):
                        if self.contracts is not None:
                            parse(event, self.contracts)
                        await handler(session, event)
                except Exception as exc:
                    raise _HandlerFailed(msg, event, exc) from exc
            if run:
                await self._apply_run(durable, session, run)
        return fresh

    def _parse(self, msg: Msg, event: CloudEvent) -> None:
        """An event a ``Batched`` handler will get, read through its contract first: one that cannot
        be read is to blame on its own."""
        if self.contracts is None:
            return
        try:
            parse(event, self.contracts)
        except Exception as exc:
            raise _HandlerFailed(msg, event, exc) from exc

    async def _apply_run(
        self, durable: str, session: AsyncSession, run: list[tuple[Msg, CloudEvent]]
    ) -> None:
        handler = self.handlers[run[0][1].type]
        assert isinstance(handler, Batched)
        if len(run) == 1:  # blame is known: the usual isolation path, without re-running the batch
            msg, event = run[0]
            try:
                with _request_of(msg, event), _span(durable, msg, event):
                    await handler.many(session, [event])
            except Exception as exc:
                raise _HandlerFailed(msg, event, exc) from exc
            return
        rids = {(m.headers or {}).get("X-Request-ID") or e.requestid for m, e in run}
        token = request_id_var.set(rids.pop() if len(rids) == 1 else None)  # one import's events share one
        try:
            await handler.many(session, [event for _, event in run])
        except Exception as exc:
            raise _BatchedFailed(f"{handler!r} failed on a run of {len(run)}: {exc!r}") from exc
        finally:
            request_id_var.reset(token)

    async def _process(self, durable: str, msg: Msg) -> None:
        try:
            event = CloudEvent.model_validate_json(msg.data)
        except ValueError as exc:
            await self._not_an_event(durable, msg, exc)
            return
        with _request_of(msg, event):
            try:
                with _span(durable, msg, event):
                    fresh = await handle_event(self.db, durable, event, self.handlers, self.contracts)
            except Exception as exc:
                await self._failed(durable, msg, event, exc)
                return
        EVENTS_CONSUMED.labels(self.service, durable, "handled" if fresh else "duplicate").inc()
        try:
            await msg.ack()
        except Exception as exc:
            # Committed but not acked: the redelivery will find the inbox row and only ack.
            log.warning("consumer_ack_failed", consumer=durable, event_id=event.id, error=repr(exc))

    async def _not_an_event(self, durable: str, msg: Msg, exc: ValueError) -> None:
        """A message that is not a CloudEvents envelope will never parse: no retries; it goes to the
        dead letters with the reason, where the operator can read it (``jingzhun deadletter``)."""
        first = exc.errors()[0] if isinstance(exc, ValidationError) and exc.errors() else None
        where = ".".join(str(p) for p in first["loc"]) if first and first["loc"] else ""
        reason = f"{where}: {first['msg']}" if first else str(exc).splitlines()[0]
        error = ContractViolation(msg.subject, f"not a CloudEvents envelope ({reason})")
        attempt = msg.metadata.num_delivered
        try:
            await publish_dead_letter(
                self.js, service=self.service, msg=msg, event=None, error=error, replicas=self.stream_replicas
            )
        except Exception as publish_exc:  # NATS trouble: keep the message, try again next delivery
            log.warning("consumer_dead_letter_failed", consumer=durable, error=repr(publish_exc))
            await self._retry(durable, msg, attempt)
            return
        log.error(
            "consumer_bad_message", consumer=durable, subject=msg.subject, error=describe_error(error)[1]
        )
        EVENTS_CONSUMED.labels(self.service, durable, "malformed").inc()
        await msg.term()

    async def _failed(self, durable: str, msg: Msg, event: CloudEvent, exc: Exception) -> None:
        attempt = msg.metadata.num_delivered
        # A payload this consumer cannot read fails the same way every time: no retries.
        final = isinstance(exc, ContractViolation)
        failed = log.bind(consumer=durable, event_id=event.id, attempt=attempt)
        if not final and (attempt < self.max_attempts or not await self._database_up()):
            failed.warning("consumer_handler_failed", error=repr(exc))
            await self._retry(durable, msg, attempt)
            return
        try:
            dl_seq, already = await publish_dead_letter(
                self.js, service=self.service, msg=msg, event=event, error=exc, replicas=self.stream_replicas
            )
        except Exception as publish_exc:  # NATS trouble: keep the event, try again next delivery
            failed.warning("consumer_dead_letter_failed", error=repr(publish_exc))
            await self._retry(durable, msg, attempt)
            return
        if not already:  # a copy made before a lost term() is not counted twice
            log.error(
                "consumer_event_dead_lettered",
                consumer=durable,
                event_id=event.id,
                event_type=event.type,
                attempts=attempt,
                error=describe_error(exc)[1],
                stream=msg.metadata.stream,
                stream_seq=msg.metadata.sequence.stream,
                deadletter_seq=dl_seq,
            )
            EVENTS_CONSUMED.labels(self.service, durable, "dead_lettered").inc()
            EVENTS_DEAD_LETTERED.labels(self.service, event.type).inc()
        try:
            await msg.term()
        except Exception as term_exc:
            # Redelivered after ack_wait: it either succeeds or lands on the same dead letter.
            log.warning("consumer_term_failed", consumer=durable, event_id=event.id, error=repr(term_exc))

    def retry_delay(self, attempt: int) -> float:
        """Doubling back-off from ``retry_delay_s``, capped: 2, 4, 8 … 300 s (10 attempts ≈ 13 min),
        so a dependency that is down for minutes does not send events to the dead letters."""
        return float(min(self.retry_delay_s * 2 ** max(attempt - 1, 0), self.retry_max_delay_s))

    async def _retry(self, durable: str, msg: Msg, attempt: int) -> None:
        EVENTS_CONSUMED.labels(self.service, durable, "retry").inc()
        try:
            await msg.nak(delay=self.retry_delay(attempt))
        except Exception as exc:  # the bus is unreachable: redelivered after ack_wait anyway
            log.warning("consumer_nak_failed", consumer=durable, attempt=attempt, error=repr(exc))

    async def _database_up(self) -> bool:
        """A handler failing because PostgreSQL is unreachable says nothing about the event."""
        try:
            await asyncio.wait_for(self.db.ping(), timeout=5)
        except Exception:
            return False
        return True
