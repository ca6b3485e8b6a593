"""Writes on the transaction's own asyncpg connection (shared.db.write_rows, write_together): in
the request's transaction, and refused exactly as SQLAlchemy refuses them; the hot reads' checkout
on a kept greenlet (shared.db.in_greenlet), or an idle pooled connection lent without one."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from datetime import date

import asyncpg
import pytest
from greenlet import getcurrent
from sqlalchemy import bindparam, event, func, literal, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool.base import _ConnectionRecord
from sqlalchemy.util import await_

from shared import audit, resident_id
from shared.db import (
    POOL_RECYCLE_S,
    Database,
    in_greenlet,
    read_rows,
    to_sync_url,
    write_rows,
    write_together,
)
from shared.errors import database_unavailable
from shared.events.outbox import event_write
from shared.tables import audit_log, outbox

pytestmark = pytest.mark.asyncio

EVENT = "registry.household.registered.v1"


async def _counts(db: Database) -> tuple[int, int]:
    async with db.transaction() as s:
        events = (await s.execute(select(func.count()).select_from(outbox))).scalar_one()
        rows = (await s.execute(select(func.count()).select_from(audit_log))).scalar_one()
    return int(events), int(rows)


async def test_writes_sent_together_commit_and_roll_back_as_one_transaction(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("registry"))
    try:

        def writes(subject: str):  # type: ignore[no-untyped-def]
            _, event = event_write(type=EVENT, subject=subject, data={"household_id": subject})
            row = audit.new_entities_write(
                actor="clerk",
                action="household.created",
                entity_type="household",
                entries=[(subject, None, {})],
            )
            return event, row

        async def failing_use_case() -> None:
            async with db.transaction() as s:  # the writes are the transaction's first statement
                await write_together(s, *writes("h-1"))
                raise RuntimeError("the use case failed after its writes")

        with pytest.raises(RuntimeError):
            await failing_use_case()
        assert await _counts(db) == (0, 0)

        async with db.transaction() as s:
            await write_together(s, *writes("h-2"))
        assert await _counts(db) == (1, 1)
        async with db.transaction() as s:
            assert await audit.verify_chain(s) == (True, None)
    finally:
        await db.dispose()


async def test_a_refused_write_raises_what_sqlalchemy_raises(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("registry"))
    try:
        _, (stmt, params) = event_write(type=EVENT, subject="h-1", data={})
        async with db.transaction() as s:
            await write_rows(s, stmt, params)

        async def the_same_event_again() -> None:
            async with db.transaction() as s:
                await write_rows(s, stmt, params)

        with pytest.raises(IntegrityError) as refused:
            await the_same_event_again()
        assert getattr(refused.value.orig, "sqlstate", None) == "23505"
        assert "pk_outbox" in str(refused.value.orig)
        assert await _counts(db) == (1, 0)
    finally:
        await db.dispose()


_LOCKED = select(outbox.c.id).where(outbox.c.id == bindparam("id")).with_for_update()
_XID = select(func.txid_current().label("xid"))


async def test_reads_before_the_first_write_are_in_the_use_cases_transaction(make_db) -> None:  # type: ignore[no-untyped-def]
    """A use case's reads on the driver (read_rows) run in its transaction from its first
    statement on: what one locks stays locked until the commit, and all see one transaction."""
    url = make_db("registry")
    db = Database(url)
    other = await asyncpg.connect(to_sync_url(url))
    try:
        _, (stmt, params) = event_write(type=EVENT, subject="h-1", data={})
        async with db.transaction() as s:
            await write_rows(s, stmt, params)
        async with db.transaction() as s:
            # the transaction's first statement: a read that locks the event's row
            assert [r["id"] for r in await read_rows(s, _LOCKED, {"id": params["id"]})] == [params["id"]]
            with pytest.raises(asyncpg.LockNotAvailableError):  # held by the open transaction
                await other.execute("SELECT id FROM outbox WHERE id = $1 FOR UPDATE NOWAIT", params["id"])
            (read,) = await read_rows(s, _XID, {})
            assert (await s.execute(_XID)).scalar_one() == read["xid"]  # one transaction, not two
        # committed: the lock went with it
        await other.execute("SELECT id FROM outbox WHERE id = $1 FOR UPDATE NOWAIT", params["id"])
    finally:
        await other.close()
        await db.dispose()


async def test_a_failing_statement_does_not_carry_its_values_into_errors_and_logs(make_db) -> None:  # type: ignore[no-untyped-def]
    """An error's text ends up in logs (and their stack traces): the values a statement was sent with
    (names, resident IDs) must not be in it; the statement itself and PostgreSQL's reason are."""
    db = Database(make_db("registry"))
    try:
        person = resident_id.make("440783", date(1979, 5, 17), 41, sex="male")
        with pytest.raises(DBAPIError) as failed:
            async with db.transaction() as s:
                await s.execute(text("SELECT CAST(:who AS text), 1 / 0"), {"who": f"柳青禾 {person}"})
        told = str(failed.value)
        assert "division by zero" in told
        assert "柳青禾" not in told
        assert person not in told
    finally:
        await db.dispose()


async def test_hot_reads_check_out_their_connections_on_one_kept_greenlet(make_db) -> None:  # type: ignore[no-untyped-def]
    """read_rows checks its connection out in SQLAlchemy's sync code (a greenlet) when it does (a
    listener on the pool, as here, makes every read check out): the same greenlet each time, not a
    new one per read (a new greenlet maps and unmaps memory for its frames: 8 µs a read). The first
    reads open their connections, which awaits inside the checkout."""
    db = Database(make_db("registry"))
    seen: list[object] = []  # the greenlets themselves, kept alive: distinct ones keep distinct ids
    event.listen(db.engine.sync_engine.pool, "checkout", lambda *_: seen.append(getcurrent()))
    try:
        one = select(literal(1).label("one"))
        for _ in range(3):
            async with db.reading() as s:
                assert [r["one"] for r in await read_rows(s, one, {})] == [1]
        assert len(seen) == 3
        assert len({id(g) for g in seen}) == 1
    finally:
        await db.dispose()


_asked: ContextVar[str] = ContextVar("asked", default="")


async def test_the_kept_greenlet_hands_back_awaits_errors_cancellations_and_context() -> None:
    """What SQLAlchemy's greenlet_spawn does, on a kept greenlet: the sync code's awaits are awaited
    by the caller, its error raised to the caller, a cancellation raised into it; the caller's
    context variables seen there; the greenlet serves the next call after each."""
    assert await in_greenlet(lambda: await_(asyncio.sleep(0, "slept"))) == "slept"

    def fails() -> None:
        raise LookupError("the sync code's own error")

    with pytest.raises(LookupError, match="own error"):
        await in_greenlet(fails)
    unwound: list[str] = []

    def waits() -> None:
        try:
            await_(asyncio.sleep(30))
        finally:
            unwound.append("the sync code's finally ran")

    task = asyncio.create_task(in_greenlet(waits))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert unwound == ["the sync code's finally ran"]
    _asked.set("this request's")
    assert await in_greenlet(_asked.get) == "this request's"


def _fatal_from_the_server() -> bytes:
    """The last message of a PostgreSQL backend that is going away (an ErrorResponse, FATAL 57P01),
    as it arrives before the socket's close when the server is killed or the backend terminated."""
    fields = (("S", "FATAL"), ("V", "FATAL"), ("C", "57P01"), ("M", "terminating connection"))
    body = b"".join(k.encode() + v.encode() + b"\0" for k, v in fields) + b"\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


async def test_a_connection_a_dying_server_left_mid_message_is_dropped_and_read_as_an_outage(make_db) -> None:  # type: ignore[no-untyped-def]
    """Found by the soak under load (PostgreSQL killed every 20 s): a statement sent on the driver in
    the moment between a dying server's FATAL and its closed socket failed with asyncpg's "cannot
    switch to state …; another operation (2) is in progress", was answered 500 (internal error) and
    the connection went back to the pool. Now the connection is dropped and the error reads as the
    database out of reach (a 503: nothing saved, send it again), for a write, a read in a
    transaction and a hot read alike; the next use case works."""
    db = Database(make_db("registry"), pool_size=1)
    try:
        _, (stmt, params) = event_write(type=EVENT, subject="h-1", data={"name": "柳青禾"})

        async def dying(s):  # type: ignore[no-untyped-def]
            raw = await (await s.connection()).get_raw_connection()
            raw.driver_connection._protocol.data_received(_fatal_from_the_server())

        async def use_case(statement: str) -> None:
            async with db.transaction() as s:
                await read_rows(s, _XID, {})  # the transaction's connection, idle in it
                await dying(s)
                if statement == "write":
                    await write_rows(s, stmt, params)
                else:
                    await read_rows(s, _XID, {})

        for statement in ("write", "read"):
            with pytest.raises(DBAPIError) as failed:
                await use_case(statement)
            assert failed.value.connection_invalidated, statement
            assert database_unavailable(failed.value), statement
            assert "柳青禾" not in str(failed.value)  # the values stay out of the logs

        async with db.reading() as s:  # a hot read on a pooled connection the server left mid-message
            await dying(s)
        with pytest.raises(DBAPIError) as failed:
            async with db.reading() as s:
                await read_rows(s, _XID, {})
        assert failed.value.connection_invalidated
        assert database_unavailable(failed.value)

        async with db.transaction() as s:
            await write_rows(s, stmt, params)
        async with db.reading() as s:
            assert len(await read_rows(s, _XID, {})) == 1
        assert await _counts(db) == (1, 0)
    finally:
        await db.dispose()


_PID = select(func.pg_backend_pid().label("pid"))


async def _pid(db: Database) -> int:
    async with db.reading() as s:
        return int((await read_rows(s, _PID, {}))[0]["pid"])


async def test_hot_reads_borrow_an_idle_pooled_connection_without_a_checkout(make_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A hot read's statement runs on an idle pooled connection taken from the pool and put back as
    it is, without SQLAlchemy's checkout (its proxy, events, greenlet hop and rollback on return: a
    twentieth of a card read's CPU). Only a read that finds none idle checks one out (the first
    ones, which open the connections); many reads at once, more than the pool holds, all answer and
    leave every connection back in the pool, on no more connections than the pool allows."""
    checkouts: list[object] = []
    real = _ConnectionRecord.checkout.__func__  # type: ignore[attr-defined]

    def counted(cls, pool):  # type: ignore[no-untyped-def]
        if pool is db.engine.sync_engine.pool:
            checkouts.append(pool)
        return real(cls, pool)

    db = Database(make_db("registry"), pool_size=1)  # two connections
    monkeypatch.setattr(_ConnectionRecord, "checkout", classmethod(counted))
    try:
        first = await _pid(db)
        assert len(checkouts) == 1  # the first read opens the connection
        assert [await _pid(db) for _ in range(5)] == [first] * 5
        assert len(checkouts) == 1  # the later ones borrow it, idle in the pool

        async def slow_read() -> int:
            async with db.reading() as s:
                rows = await read_rows(s, select(func.pg_backend_pid().label("pid"), func.pg_sleep(0.02)), {})
            return int(rows[0]["pid"])

        pids = await asyncio.gather(*(slow_read() for _ in range(12)))
        assert first in pids
        assert len(set(pids)) <= 2
        pool = db.engine.sync_engine.pool
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        assert pool.checkedin() == 2  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_a_pooled_connection_closed_by_the_server_or_too_old_is_replaced_for_hot_reads(make_db) -> None:  # type: ignore[no-untyped-def]
    """An idle pooled connection is not lent as it is when it could not serve or should not: closed
    by the server (a restart, ``pg_terminate_backend``: the read is answered on a fresh connection,
    not refused 503), older than ``POOL_RECYCLE_S`` or invalidated with the whole pool (replaced,
    as SQLAlchemy's checkout replaces it)."""
    url = make_db("registry")
    db = Database(url, pool_size=1)
    admin = await asyncpg.connect(to_sync_url(url))
    try:
        first = await _pid(db)
        await admin.execute("SELECT pg_terminate_backend($1)", first)
        (record,) = db.engine.sync_engine.pool._pool._queue._queue  # type: ignore[attr-defined]
        for _ in range(200):  # the driver notices the closed socket on its own (the event loop reads it)
            if record.driver_connection.is_closed():
                break
            await asyncio.sleep(0.01)
        second = await _pid(db)
        assert second != first
        record.starttime -= POOL_RECYCLE_S + 1  # as if opened more than POOL_RECYCLE_S ago
        third = await _pid(db)
        assert third not in (first, second)
        assert await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", second) == 0
        # every connection of the pool invalidated (what SQLAlchemy does when a statement of a
        # session finds the server gone): replaced too
        await asyncio.sleep(0.01)  # the invalidation's time after the connection's start
        db.engine.sync_engine.pool._invalidate(None, _checkin=False)  # type: ignore[arg-type]
        assert await _pid(db) not in (first, second, third)
    finally:
        await admin.close()
        await db.dispose()
