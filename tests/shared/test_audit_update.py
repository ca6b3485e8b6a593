"""An audited update: the fields change in the database and the audit row holds exactly their values
before and after (times in ISO form, ids as text), the note on the after side, chained as usual."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import DateTime, String, Uuid, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared import audit
from shared.db import Database
from shared.tables import audit_log


class _Base(DeclarativeBase):
    pass


class Board(_Base):
    __tablename__ = "audit_update_board"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


@pytest.mark.asyncio
async def test_an_audited_update_writes_the_fields_and_their_before_and_after(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    board_id, successor = uuid.uuid4(), uuid.uuid4()
    closed = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
    try:
        async with db.transaction() as s:
            await s.execute(
                text(
                    "CREATE TABLE audit_update_board (id uuid PRIMARY KEY, status text, "
                    "closed_at timestamptz, replaced_by uuid)"
                )
            )
            s.add(Board(id=board_id, status="open"))
        async with db.transaction() as s:
            board = await s.get_one(Board, board_id)
            await audit.record_update(
                s, "clerk-1", "board.closed", ("board", board_id), board, status="closed", closed_at=closed
            )
            await audit.record_update(
                s,
                "clerk-1",
                "board.replaced",
                ("board", board_id),
                board,
                note={"reason": "重复"},
                replaced_by=successor,
            )
        async with db.transaction() as s:
            row = (
                await s.execute(text("SELECT status, closed_at, replaced_by FROM audit_update_board"))
            ).one()
            audited = (
                await s.execute(
                    select(audit_log.c.action, audit_log.c.before, audit_log.c.after).order_by(audit_log.c.id)
                )
            ).all()
            intact = await audit.verify_chain(s)
        assert tuple(row) == ("closed", closed, successor)
        assert [tuple(a) for a in audited] == [
            (
                "board.closed",
                {"status": "open", "closed_at": None},
                {"status": "closed", "closed_at": "2026-12-04T12:30:00+00:00"},
            ),
            ("board.replaced", {"replaced_by": None}, {"replaced_by": str(successor), "reason": "重复"}),
        ]
        assert intact == (True, None)
    finally:
        await db.dispose()
