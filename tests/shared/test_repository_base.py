"""The repository base on real PostgreSQL: get (locked or not, or only inside the caller's area),
exists, the rows under one parent, a row added once, and keyset pages (any statement, or the rows
under an area) whose cursors walk every row once in key order and refuse a cursor they did not give
out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import DateTime, String, Uuid, bindparam, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.auth import Principal
from shared.db import Database, like_prefix, read_rows
from shared.errors import NotFound
from shared.pagination import UnknownCursor, encode_cursor
from shared.repository import Repository, Slice


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "repo_base_note"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Tag(_Base):
    __tablename__ = "repo_base_tag"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    ref_id: Mapped[str] = mapped_column(String(20), primary_key=True)


class NoteRepository(Repository[Note]):
    model = Note

    async def page(
        self, prefix: str, cursor: str | None, limit: int, *, newest_first: bool = False
    ) -> Slice[Note]:
        stmt = select(Note).where(Note.area_code.startswith(prefix))
        return await self.keyset(
            stmt, key=(Note.created_at, Note.id), cursor=cursor, limit=limit, descending=newest_first
        )


class TagRepository(Repository[Tag]):
    model = Tag
    unique_key = ("kind", "ref_id")


class NewestNotes(Repository[Note]):
    model = Note
    page_key = ("created_at", "id")
    page_descending = True


class NoteNotFound(NotFound):
    thing = ("Note", "便签", "note_id")


pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # 00:30 on 4 December in Beijing


@pytest_asyncio.fixture
async def db(make_db):  # type: ignore[no-untyped-def]
    database = Database(make_db("registry"))
    async with database.transaction() as s:
        await s.execute(
            text("CREATE TABLE repo_base_note (id uuid PRIMARY KEY, area_code text, created_at timestamptz)")
        )
        await s.execute(
            text("CREATE TABLE repo_base_tag (kind text, ref_id text, PRIMARY KEY (kind, ref_id))")
        )
    yield database
    await database.dispose()


async def test_pages_walk_every_row_once_in_key_order(db: Database) -> None:
    ids = [uuid.uuid4() for _ in range(7)]
    async with db.transaction() as s:
        # two rows share a timestamp: the id breaks the tie, so none is skipped or repeated
        for i, id_ in enumerate(ids):
            s.add(Note(id=id_, area_code="440783100001", created_at=T0 + timedelta(minutes=i // 2)))
        s.add(Note(id=uuid.uuid4(), area_code="350500000000", created_at=T0))
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    pages = 0
    async with db.transaction() as s:
        while True:
            page = await NoteRepository(s).page("4407", cursor, 3)
            seen += [n.id for n in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
    expected = sorted(ids, key=lambda i: (ids.index(i) // 2, i))
    assert seen == expected
    assert pages == 3  # 3 + 3 + 1: the last page carries no cursor


async def test_newest_first_pages_walk_every_row_once_backwards(db: Database) -> None:
    ids = [uuid.uuid4() for _ in range(5)]
    async with db.transaction() as s:
        for i, id_ in enumerate(ids):  # two rows share each minute: the id breaks the tie
            s.add(Note(id=id_, area_code="440783100001", created_at=T0 + timedelta(minutes=i // 2)))
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    async with db.transaction() as s:
        while True:
            page = await NoteRepository(s).page("4407", cursor, 2, newest_first=True)
            seen += [n.id for n in page.items]
            if (cursor := page.next_cursor) is None:
                break
    assert seen == sorted(ids, key=lambda i: (ids.index(i) // 2, i), reverse=True)


async def test_a_composite_key_is_got_by_a_tuple(db: Database) -> None:
    async with db.transaction() as s:
        await TagRepository(s).add(Tag(kind="household", ref_id="H1"))
    async with db.transaction() as s:
        repo = TagRepository(s)
        assert await repo.exists(("household", "H1"))
        assert not await repo.exists(("village", "H1"))
        tag = await repo.get(("household", "H1"), lock=True)
        assert tag is not None
        assert tag.ref_id == "H1"
        assert await repo.get(("village", "H1")) is None


async def test_a_full_last_page_has_no_cursor(db: Database) -> None:
    async with db.transaction() as s:
        for i in range(4):
            s.add(Note(id=uuid.uuid4(), area_code="440783100001", created_at=T0 + timedelta(minutes=i)))
    async with db.transaction() as s:
        first = await NoteRepository(s).page("4407", None, 2)
        second = await NoteRepository(s).page("4407", first.next_cursor, 2)
    assert len(first.items) == 2
    assert first.next_cursor is not None
    assert len(second.items) == 2
    assert second.next_cursor is None


@pytest.mark.parametrize(
    "cursor", ["not-base64!", encode_cursor("abc"), encode_cursor(["x", "y"]), encode_cursor([1])]
)
async def test_a_cursor_this_list_did_not_give_out_is_refused_in_chinese(db: Database, cursor: str) -> None:
    async with db.transaction() as s:
        with pytest.raises(UnknownCursor) as refused:
            await NoteRepository(s).page("4407", cursor, 3)
    assert "翻页游标无效" in refused.value.detail_zh  # type: ignore[operator]


async def test_get_exists_and_locked_get_sees_the_latest_row(db: Database) -> None:
    id_ = uuid.uuid4()
    async with db.transaction() as s:
        await NoteRepository(s).add(Note(id=id_, area_code="440783100001", created_at=T0))
    async with db.transaction() as s:
        repo = NoteRepository(s)
        assert await repo.exists(id_)
        assert not await repo.exists(uuid.uuid4())
        note = await repo.get(id_)
        assert note is not None
        assert note.area_code == "440783100001"
        await s.execute(text("UPDATE repo_base_note SET area_code = '440783100002'"))
        locked = await repo.get(id_, lock=True)
        assert locked is note
        assert locked.area_code == "440783100002"
        assert await repo.get(uuid.uuid4()) is None


# Built once, as a hot read's statement is: the prefix's pattern and a literal of its own.
_NOTES_UNDER = (
    select(Note.id, Note.area_code)
    .where(Note.area_code.like(bindparam("pattern", type_=String), escape="/"), Note.area_code != "none")
    .order_by(Note.area_code)
)


async def test_read_rows_answers_as_the_session_does_on_either_connection(db: Database) -> None:
    async with db.transaction() as s:
        s.add(Note(id=uuid.uuid4(), area_code="4407831", created_at=T0))
        s.add(Note(id=uuid.uuid4(), area_code="44_x", created_at=T0))  # "_" is no wildcard
        s.add(Note(id=uuid.uuid4(), area_code="440", created_at=T0))
    expected = [("44_x",)]
    async with db.read_sessionmaker() as s:
        # nothing ran on the session yet (a connection of its own), then after a statement did
        first = await read_rows(s, _NOTES_UNDER, {"pattern": like_prefix("44_")})
        await s.execute(text("SELECT 1"))
        second = await read_rows(s, _NOTES_UNDER, {"pattern": like_prefix("44_")})
        every = await read_rows(s, _NOTES_UNDER, {"pattern": like_prefix("")})
    assert [(r["area_code"],) for r in first] == expected
    assert [(r["area_code"],) for r in second] == expected
    assert [r["area_code"] for r in every] == ["440", "4407831", "44_x"]
    async with db.transaction() as s:
        # unsaved changes of a write transaction are seen (written first, as a query would)
        s.add(Note(id=uuid.uuid4(), area_code="44_y", created_at=T0))
        found = await read_rows(s, _NOTES_UNDER, {"pattern": like_prefix("44_")})
    assert [r["area_code"] for r in found] == ["44_x", "44_y"]


async def test_a_read_session_is_handed_to_the_next_read_as_new(db: Database) -> None:
    """Read sessions are kept for later reads (shared.db.Database.reading), never with what an
    earlier read loaded: a later read sees the row as it is now, not an earlier read's object."""
    note = uuid.uuid4()
    async with db.transaction() as s:
        s.add(Note(id=note, area_code="440783", created_at=T0))
    async with db.reading() as first:
        loaded = (await first.execute(select(Note).where(Note.id == note))).scalar_one()
        assert loaded.area_code == "440783"
    async with db.transaction() as s:
        await s.execute(text("UPDATE repo_base_note SET area_code = '350500'"))
    async with db.reading() as second:
        assert second is first  # kept, not built again
        assert not second.identity_map
        assert not second.in_transaction()
        again = (await second.execute(select(Note).where(Note.id == note))).scalar_one()
        assert again is not loaded
        assert again.area_code == "350500"
    async with db.reading() as a, db.reading() as b:  # reads at the same time: one session each
        assert a is not b


async def test_an_area_page_lists_the_rows_under_the_prefix_in_its_key_order(db: Database) -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    async with db.transaction() as s:
        for i, id_ in enumerate(ids):
            s.add(Note(id=id_, area_code=f"44078310000{i}", created_at=T0 + timedelta(minutes=i)))
        s.add(Note(id=uuid.uuid4(), area_code="350500000000", created_at=T0))
    async with db.transaction() as s:
        first = await NewestNotes(s).area_page("4407", None, 2)
        rest = await NewestNotes(s).area_page("4407", first.next_cursor, 2)
        narrowed = await NewestNotes(s).area_page("4407", None, 5, Note.created_at > T0, area_code="")
        equal = await NewestNotes(s).area_page("", None, 5, area_code="440783100001")
    assert [n.id for n in first.items + rest.items] == ids[::-1]  # newest first
    assert rest.next_cursor is None
    assert [n.id for n in narrowed.items] == ids[:0:-1]  # an empty filter narrows nothing
    assert [n.id for n in equal.items] == [ids[1]]


async def test_a_row_outside_the_callers_area_answers_as_an_unknown_one(db: Database) -> None:
    id_ = uuid.uuid4()
    async with db.transaction() as s:
        await NoteRepository(s).add(Note(id=id_, area_code="440783100001", created_at=T0))
    inside = Principal(sub="u1", roles=frozenset({"registrar"}), area_code="4407")
    outside = Principal(sub="u2", roles=frozenset({"registrar"}), area_code="3505")
    own_words = NoteNotFound(f"Note {id_} is not yours to see")
    async with db.transaction() as s:
        repo = NoteRepository(s)
        assert (await repo.get_in_area(id_, inside, NoteNotFound, lock=True)).id == id_
        with pytest.raises(NoteNotFound) as by_class:
            await repo.get_in_area(id_, outside, NoteNotFound)
        with pytest.raises(NoteNotFound) as ready:
            await repo.get_in_area(uuid.uuid4(), inside, own_words)
    assert by_class.value.detail == f"Note {id_} does not exist in your area"
    assert by_class.value.detail_zh == f"您的辖区内没有便签 {id_}"
    assert by_class.value.extensions == {"note_id": str(id_)}
    assert ready.value is own_words


async def test_a_row_is_added_once_and_the_rows_of_a_parent_come_in_order(db: Database) -> None:
    async with db.transaction() as s:
        repo = TagRepository(s)
        assert await repo.add_once(Tag(kind="household", ref_id="H2"))
        assert not await repo.add_once(Tag(kind="household", ref_id="H2"))  # delivered twice
        assert await repo.add_once(Tag(kind="household", ref_id="H1"))
        assert await repo.add_once(Tag(kind="village", ref_id="V1"))
    async with db.transaction() as s:
        rows = await TagRepository(s).filtered(Tag.kind == "household", order_by=[Tag.ref_id])
    assert [t.ref_id for t in rows] == ["H1", "H2"]
