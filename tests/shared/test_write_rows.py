"""Writes on the transaction's own asyncpg connection (shared.db.write_rows, write_together): in
the request's transaction, and refused exactly as SQLAlchemy refuses them."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared import audit, resident_id
from shared.db import Database, read_rows, to_sync_url, write_rows, write_together
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
