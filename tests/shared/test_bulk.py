"""Set-based INSERTs by array parameters (shared.bulk) on real PostgreSQL: rows land in the order
given with the values given (a JSON list stays one value), defaults apply per row as in a
multi-row VALUES, and ``= ANY`` finds what ``IN`` finds."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Uuid, select, text
from sqlalchemy.dialects.postgresql import JSONB

from shared.bulk import any_of, unnest_insert
from shared.db import Database

pytestmark = pytest.mark.asyncio

_meta = MetaData()
note = Table(
    "bulk_note",
    _meta,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, default=uuid.uuid4),
    Column("name", String(20), nullable=False),
    Column("count", Integer, nullable=False, default=0),
    Column("tags", JSONB, nullable=False, default=list),
    Column("extra", JSONB, nullable=True),
)


@pytest_asyncio.fixture
async def db(make_db):  # type: ignore[no-untyped-def]
    database = Database(make_db("registry"))
    async with database.engine.begin() as conn:
        await conn.run_sync(_meta.create_all)
    yield database
    await database.dispose()


async def _insert(db: Database, rows: list[dict[str, Any]]) -> list[Any]:
    async with db.transaction() as s:
        stmt, params = unnest_insert(note, rows)
        await s.execute(stmt, params)
        return list(await s.execute(select(note).order_by(note.c.seq)))


async def test_rows_land_in_order_with_their_values(db: Database) -> None:
    rows = [
        {"name": "张三", "count": 3, "tags": ["a", "b"], "extra": {"k": [1, 2]}},
        {"name": "李四", "count": 1, "tags": [], "extra": None},
        {"name": "王五", "count": 2, "tags": ["c"], "extra": {"k": "v"}},
    ]
    stored = await _insert(db, rows)
    assert [(r.name, r.count, r.tags, r.extra) for r in stored] == [
        ("张三", 3, ["a", "b"], {"k": [1, 2]}),
        ("李四", 1, [], None),
        ("王五", 2, ["c"], {"k": "v"}),
    ]
    assert [r.seq for r in stored] == sorted(r.seq for r in stored)


async def test_defaults_apply_per_row(db: Database) -> None:
    stored = await _insert(db, [{"name": "赵六"}, {"name": "孙七"}])
    assert [(r.count, r.tags) for r in stored] == [(0, []), (0, [])]
    assert len({r.id for r in stored}) == 2  # uuid4 called for each row, not once


async def test_one_statement_for_any_number_of_rows(db: Database) -> None:
    one, _ = unnest_insert(note, [{"name": "a"}])
    many, _ = unnest_insert(note, [{"name": str(i)} for i in range(500)])
    dialect = db.engine.dialect
    assert str(one.compile(dialect=dialect)) == str(many.compile(dialect=dialect))
    stored = await _insert(db, [{"name": str(i)} for i in range(500)])
    assert [r.name for r in stored] == [str(i) for i in range(500)]


async def test_any_of_finds_what_in_finds(db: Database) -> None:
    await _insert(db, [{"name": n} for n in ("a", "b", "c")])
    async with db.transaction() as s:
        found = (
            await s.execute(
                select(note.c.name).where(any_of(note.c.name, "names")).order_by(note.c.name),
                {"names": ["c", "a", "x"]},
            )
        ).scalars()
        assert list(found) == ["a", "c"]
        assert (await s.execute(text("SELECT count(*) FROM bulk_note"))).scalar_one() == 3
