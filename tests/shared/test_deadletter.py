"""Poison events go to the DEADLETTER stream after the last attempt; `jingzhun deadletter` replays them.

Real nats-server and PostgreSQL; events are published straight to the REGISTRY stream (as the
registry's relay would) and consumed by pairing's (and funds') consumer runner.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext
from prometheus_client import REGISTRY as METRICS
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from deploy.cli import app as cli
from shared import audit
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import Batched, ConsumerRunner
from shared.events.deadletter import DeadLetter, iter_dead_letters
from shared.events.streams import DEADLETTER_STREAM, ensure_streams
from shared.tables import audit_log, inbox
from tests.support import wait_for

pytestmark = pytest.mark.asyncio

EVENT = "registry.household.registered.v1"
MAX_ATTEMPTS = 3


@dataclass
class FlakyHandler:
    """Projects each event into audit_log; fails for chosen subjects a chosen number of times."""

    failures: dict[str, int] = field(default_factory=dict)  # subject -> failures left (-1: always)
    calls: Counter[str] = field(default_factory=Counter)  # event id -> times the handler ran

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        self.calls[event.id] += 1
        left = self.failures.get(event.subject, 0)
        if left:
            self.failures[event.subject] = left - 1 if left > 0 else -1
            # Only the first line may travel: SQLAlchemy puts SQL and parameters on later ones.
            raise ValueError(f"household {event.subject} 数据有误\n[parameters: ('secret',)]")
        await audit.record(session, "consumer", "projected", ("household", event.subject), after=event.data)


@dataclass
class Bus:
    nc: nats.NATS
    js: JetStreamContext
    url: str

    async def publish(self, subject: str) -> tuple[CloudEvent, int]:
        event = CloudEvent(
            source="jingzhun/registry", type=EVENT, subject=subject, data={"household_id": subject}
        )
        ack = await self.js.publish(
            EVENT, event.to_json_bytes(), headers={"Nats-Msg-Id": event.id, "X-Request-ID": f"req-{subject}"}
        )
        return event, ack.seq

    async def dead_letters(self, service: str | None = None) -> list[DeadLetter]:
        return [d async for d in iter_dead_letters(self.js, service=service)]


@pytest_asyncio.fixture
async def bus(nats_url: str) -> AsyncIterator[Bus]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream(timeout=2)
    await ensure_streams(js, ["REGISTRY"])
    yield Bus(nc, js, nats_url)
    await nc.close()


class Running:
    """Consumer runners in the background, stopped on exit."""

    def __init__(self, *runners: ConsumerRunner) -> None:
        self.runners = runners
        self.tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Running:
        self.tasks = [asyncio.create_task(r.run()) for r in self.runners]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for r in self.runners:
            r.stop()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def runner(db: Database, bus: Bus, service: str, handler: FlakyHandler) -> ConsumerRunner:
    return ConsumerRunner(
        db,
        bus.js,
        service=service,
        handlers={EVENT: handler},
        fetch_timeout_s=0.2,
        retry_delay_s=0.05,
        max_attempts=MAX_ATTEMPTS,
    )


async def projected(db: Database, subject: str | None = None) -> int:
    query = select(func.count()).select_from(audit_log)
    if subject is not None:
        query = query.where(audit_log.c.entity_id == subject)
    async with db.transaction() as s:
        return int((await s.execute(query)).scalar_one())


async def inbox_rows(db: Database, event_id: str) -> int:
    async with db.transaction() as s:
        query = select(func.count()).select_from(inbox).where(inbox.c.event_id == event_id)
        return int((await s.execute(query)).scalar_one())


def metric(name: str, **labels: str) -> float:
    return METRICS.get_sample_value(name, labels) or 0.0


def holds(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    """A ``wait_for`` probe out of a plain condition."""

    async def probe() -> bool:
        return check()

    return probe


async def run_cli(*args: str) -> Result:
    # The commands call asyncio.run: give them a thread of their own, off the test's loop.
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def consumer_settled(bus: Bus, durable: str) -> bool:
    info = await bus.js.consumer_info("REGISTRY", durable)
    return info.num_pending == 0 and info.num_ack_pending == 0


async def test_poison_event_is_dead_lettered_after_the_last_attempt_then_replayed_once(
    make_db,
    bus: Bus,  # type: ignore[no-untyped-def]
) -> None:
    pairing_db, funds_db = Database(make_db("pairing")), Database(make_db("funds"))
    pairing = FlakyHandler(failures={"13": -1})  # pairing's handler cannot cope with household 13
    funds = FlakyHandler()  # funds handles everything
    dead_before = metric("jingzhun_events_dead_lettered_total", service="pairing", type=EVENT)
    async with Running(runner(pairing_db, bus, "pairing", pairing), runner(funds_db, bus, "funds", funds)):
        sent = [await bus.publish(s) for s in ("11", "12", "13", "14", "15")]
        poison, poison_seq = sent[2]

        letters = await wait_for(bus.dead_letters, what="the poison event dead-lettered")
        await wait_for(lambda: consumer_settled(bus, "pairing-from-registry"), what="pairing caught up")
        assert await projected(pairing_db) == 4, "the other events kept flowing"
        assert pairing.calls[poison.id] == MAX_ATTEMPTS, "given up after exactly the last attempt"
        (letter,) = letters
        assert letter.service == "pairing"
        assert letter.consumer == "pairing-from-registry"
        assert (letter.event_id, letter.event_type) == (poison.id, EVENT)
        assert letter.attempts == MAX_ATTEMPTS
        assert letter.error == "ValueError: household 13 数据有误"  # class + first line, no parameters
        assert letter.error_type == "ValueError"
        assert (letter.original_subject, letter.original_stream, letter.original_seq) == (
            EVENT,
            "REGISTRY",
            poison_seq,
        )
        assert letter.request_id == "req-13"
        assert CloudEvent.model_validate_json(letter.data) == poison
        assert metric("jingzhun_events_dead_lettered_total", service="pairing", type=EVENT) == dead_before + 1

        # Termed, not redelivered: a later event is handled while the poison one stays put.
        await bus.publish("16")
        await wait_for(lambda: projected(pairing_db, "16"), what="a later event handled")
        await wait_for(lambda: consumer_settled(bus, "pairing-from-registry"), what="nothing to redeliver")
        assert pairing.calls[poison.id] == MAX_ATTEMPTS
        assert len(await bus.dead_letters()) == 1
        assert await projected(funds_db) == 6

        listed = await run_cli("deadletter", "list", "--nats-url", bus.url)
        assert listed.exit_code == 0, listed.output
        line = next(r for r in listed.output.splitlines() if r.startswith(str(letter.seq)))
        for part in ("pairing-from-registry", EVENT, poison.id, "ValueError: household 13 数据有误"):
            assert part in line
        assert line.split()[4] == str(MAX_ATTEMPTS)
        only_funds = await run_cli("deadletter", "list", "--service", "funds", "--nats-url", bus.url)
        assert "no dead-lettered events" in only_funds.output

        # The handler is fixed and deployed; ops replays the event.
        pairing.failures.clear()
        funds_duplicates = metric(
            "jingzhun_events_consumed_total",
            service="funds",
            consumer="funds-from-registry",
            outcome="duplicate",
        )
        replayed = await run_cli("deadletter", "replay", str(letter.seq), "--nats-url", bus.url)
        assert replayed.exit_code == 0, replayed.output
        await wait_for(lambda: projected(pairing_db, "13"), what="the replayed event handled")
        assert await bus.dead_letters() == []
        await wait_for(
            holds(
                lambda: (
                    metric(
                        "jingzhun_events_consumed_total",
                        service="funds",
                        consumer="funds-from-registry",
                        outcome="duplicate",
                    )
                    == funds_duplicates + 1
                )
            ),
            what="funds saw the replay as a duplicate",
        )
        await wait_for(lambda: consumer_settled(bus, "pairing-from-registry"), what="pairing caught up")
        assert await projected(pairing_db, "13") == 1
        assert await inbox_rows(pairing_db, poison.id) == 1
        assert await projected(funds_db) == 6, "funds had handled it: its inbox skipped the replay"
        assert pairing.calls[poison.id] == MAX_ATTEMPTS + 1

        again = await run_cli("deadletter", "replay", str(letter.seq), "--nats-url", bus.url)
        assert again.exit_code == 1
        assert "no dead letter" in again.output
    await pairing_db.dispose()
    await funds_db.dispose()


async def test_transient_failures_are_retried_not_dead_lettered(make_db, bus: Bus) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("pairing"))
    handler = FlakyHandler(failures={"21": 2})  # fails twice, then succeeds (max is 3)
    retries = metric(
        "jingzhun_events_consumed_total", service="pairing", consumer="pairing-from-registry", outcome="retry"
    )
    async with Running(runner(db, bus, "pairing", handler)):
        event, _ = await bus.publish("21")
        await wait_for(lambda: projected(db, "21"), what="handled on the third delivery")
        await wait_for(lambda: consumer_settled(bus, "pairing-from-registry"), what="acked")
    assert handler.calls[event.id] == 3
    assert await projected(db) == 1
    assert await bus.dead_letters() == []
    assert (
        metric(
            "jingzhun_events_consumed_total",
            service="pairing",
            consumer="pairing-from-registry",
            outcome="retry",
        )
        == retries + 2
    )
    await db.dispose()


async def test_the_original_stays_until_the_dead_letter_is_stored(make_db, bus: Bus) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("pairing"))
    handler = FlakyHandler(failures={"31": -1})
    # A stream named DEADLETTER that does not take deadletter.> subjects: every dead-letter publish fails.
    await bus.js.add_stream(name=DEADLETTER_STREAM, subjects=["elsewhere.>"])
    async with Running(runner(db, bus, "pairing", handler)):
        event, _ = await bus.publish("31")
        await wait_for(
            holds(lambda: handler.calls[event.id] >= MAX_ATTEMPTS + 2),
            what="kept retrying while the dead letter could not be stored",
        )
        info = await bus.js.consumer_info("REGISTRY", "pairing-from-registry")
        assert info.num_ack_pending + info.num_pending == 1, "not termed"

        await bus.js.delete_stream(DEADLETTER_STREAM)  # the runner recreates it, properly
        (letter,) = await wait_for(bus.dead_letters, what="dead-lettered once it could be stored")
        await wait_for(lambda: consumer_settled(bus, "pairing-from-registry"), what="termed")
        assert letter.attempts == handler.calls[event.id] > MAX_ATTEMPTS

        handler.failures.clear()
        replayed = await run_cli(
            "deadletter", "replay", "--all", "--service", "pairing", "--nats-url", bus.url
        )
        assert replayed.exit_code == 0, replayed.output
        await wait_for(lambda: projected(db, "31"), what="replayed")
        assert await bus.dead_letters() == []
    await db.dispose()


class FlakyDatabase(Database):
    """A database whose ``ping`` fails while ``down`` is set: an outage, as the runner sees it."""

    down = True

    async def ping(self) -> None:
        if self.down:
            raise ConnectionRefusedError("database unreachable")
        await super().ping()


async def test_no_dead_letter_while_the_database_is_unreachable(make_db, bus: Bus) -> None:  # type: ignore[no-untyped-def]
    db = FlakyDatabase(make_db("pairing"))
    handler = FlakyHandler(failures={"41": -1})
    async with Running(runner(db, bus, "pairing", handler)):
        event, _ = await bus.publish("41")
        await wait_for(
            holds(lambda: handler.calls[event.id] >= MAX_ATTEMPTS + 2), what="retried past the last attempt"
        )
        assert await bus.dead_letters() == []
        db.down = False
        (letter,) = await wait_for(bus.dead_letters, what="dead-lettered once the database answers")
        assert letter.attempts > MAX_ATTEMPTS
    await db.dispose()


async def test_retries_back_off_doubling_up_to_the_cap() -> None:
    runner = ConsumerRunner(None, None, service="pairing", handlers={})  # type: ignore[arg-type]
    assert [runner.retry_delay(n) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    # Ten attempts wait about 13 minutes in all before an event is given up on.
    assert sum(runner.retry_delay(n) for n in range(1, 10)) == 810


@dataclass
class FlakyBatch:
    """A ``Batched`` handler's function: projects a run of events at once; fails on a chosen subject."""

    poison: str
    runs: list[list[str]] = field(default_factory=list)  # the subjects of each run it was given

    async def __call__(self, session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        self.runs.append([e.subject for e in events])
        if any(e.subject == self.poison for e in events):
            raise ValueError(f"household {self.poison} 数据有误")
        await audit.record_many(
            session,
            actor="consumer",
            action="projected",
            entity_type="household",
            entries=[(e.subject, None, e.data) for e in events],
            serialized_by="the test (one consumer)",
        )


async def test_a_batched_handler_gets_a_fetch_at_once_and_a_poison_event_still_goes_alone(
    make_db,
    bus: Bus,  # type: ignore[no-untyped-def]
) -> None:
    db = Database(make_db("pairing"))
    many = FlakyBatch(poison="p-25")
    sent = [await bus.publish(f"p-{i}") for i in range(50)]  # all in the stream before the first fetch
    consumer = ConsumerRunner(
        db,
        bus.js,
        service="pairing",
        handlers={EVENT: Batched(many)},
        fetch_timeout_s=0.2,
        retry_delay_s=0.05,
        max_attempts=MAX_ATTEMPTS,
    )
    async with Running(consumer):
        await wait_for(bus.dead_letters, what="the poison event dead-lettered")
        await wait_for(lambda: consumer_settled(bus, "pairing-from-registry"), what="pairing caught up")
    assert await projected(db) == 49  # every other event applied, each once
    assert len(many.runs[0]) == 50  # the whole fetch in one call
    # after the failed run each message went alone: the poison one, MAX_ATTEMPTS times in all
    assert sum(run == ["p-25"] for run in many.runs) == MAX_ATTEMPTS
    assert max(len(run) for run in many.runs[1:]) == 1
    (letter,) = await bus.dead_letters()
    assert (letter.event_id, letter.attempts) == (sent[25][0].id, MAX_ATTEMPTS)
    await db.dispose()
