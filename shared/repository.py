"""Base for repositories: all SQL lives in repositories, which hold the caller's session.

A repository names its model once (``model = Household``) and inherits the reads every aggregate
needs — by id (optionally locked ``FOR UPDATE``; ``get_in_area``: only inside the caller's area),
existence, the rows under one parent (``filtered``) and a keyset page — plus ``add`` and ``add_once``
(unless the same unique key is there). Lists page by a sort key of columns (``created_at, id`` or
just ``id``): the repository fetches ``limit + 1`` rows, so a surplus row means another page, and
the cursor it hands out encodes the key of the last row shown. A cursor that does not decode to the
key's column types is the client's mistake (422, in the clerk's language), never a 500. Newest-first
lists page the key ``descending``; a composite primary key is given to ``get``/``exists`` as a tuple
in column order.

Most lists are the rows under an area prefix: the repository names its key once (``page_key``,
newest first with ``page_descending``) and its ``page`` is one line; any other statement pages with
``keyset``:

    class ComplaintRepository(Repository[Complaint]):
        model = Complaint
        page_key = ("created_at", "id")

        async def page(self, *, prefix: str, status: str | None, cursor: str | None, limit: int):
            return await self.area_page(prefix, cursor, limit, status=status)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.pagination import UnknownCursor, decode_cursor, encode_cursor, unknown_cursor

if TYPE_CHECKING:
    from shared.auth import Principal
    from shared.errors import DomainError, NotFound

__all__ = ["KeyedRepository", "Repository", "Slice", "bad_cursor", "decode_key", "encode_key"]

M = TypeVar("M")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of domain objects and the cursor to the next (None on the last page)."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None

    def map(self, shape: Callable[[T], Any]) -> dict[str, Any]:
        """The answer a router returns: ``{"items": [...], "next_cursor": ...}``."""
        return {"items": [shape(item) for item in self.items], "next_cursor": self.next_cursor}


def bad_cursor() -> UnknownCursor:
    return unknown_cursor()


def _python_type(column: InstrumentedAttribute[Any]) -> type:
    try:
        return column.type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:  # pragma: no cover - every key column here has one
        return str


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def _decode_value(kind: type, raw: Any) -> Any:
    if raw is None:
        return None
    if kind is uuid.UUID:
        return uuid.UUID(str(raw))
    if kind is datetime:
        return datetime.fromisoformat(str(raw))
    if kind is date:
        return date.fromisoformat(str(raw))
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError("not an integer")
        return raw
    if kind is str:
        if not isinstance(raw, str):
            raise TypeError("not a string")
        return raw
    return kind(raw)


def encode_key(values: Sequence[Any]) -> str:
    return encode_cursor([_encode_value(v) for v in values])


def decode_key(cursor: str | None, kinds: Sequence[type]) -> tuple[Any, ...] | None:
    """The key a cursor encodes, typed per column; 404 when it is not one this list gave out."""
    if not cursor:
        return None
    raw = decode_cursor(cursor)
    if not isinstance(raw, list) or len(raw) != len(kinds):
        raise bad_cursor()
    try:
        return tuple(_decode_value(kind, value) for kind, value in zip(kinds, raw, strict=True))
    except (TypeError, ValueError) as exc:
        raise bad_cursor() from exc


class Repository(Generic[M]):
    """Holds the caller's session; never commits (the request owns the transaction)."""

    model: ClassVar[Any] = None
    page_key: ClassVar[tuple[str, ...]] = ("id",)
    page_descending: ClassVar[bool] = False
    unique_key: ClassVar[tuple[str, ...]] = ()

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _is(self, id_: Any) -> ColumnElement[bool]:
        """``primary key == id_``; a composite key (``kind, ref_id``) takes a tuple in column order."""
        if self.model is None:
            raise TypeError(f"{type(self).__name__} names no model")
        columns = [getattr(self.model, pk.key) for pk in self.model.__mapper__.primary_key]
        if len(columns) == 1:
            return columns[0] == id_  # type: ignore[no-any-return]
        return and_(*(column == value for column, value in zip(columns, id_, strict=True)))

    async def get(self, id_: Any, *, lock: bool = False) -> M | None:
        """The row with this primary key (``lock``: ``FOR UPDATE`` and refreshed from the database)."""
        stmt = select(self.model).where(self._is(id_))
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(stmt)

    async def get_in_area(
        self, id_: Any, actor: Principal, not_found: type[NotFound] | DomainError, *, lock: bool = False
    ) -> M:
        """The row if it lies in the caller's area (its ``area_code``), else ``not_found``: an unknown
        id and one outside the area look alike. ``not_found`` is the error class (raised as
        ``NotFound.in_your_area(id_)``) or the ready error, in the service's own wording."""
        row = await self.get(id_, lock=lock)
        if row is None or not actor.covers(getattr(row, "area_code")):  # noqa: B009 - M names no columns
            raise not_found.in_your_area(id_) if isinstance(not_found, type) else not_found
        return row

    async def exists(self, id_: Any) -> bool:
        return bool(await self.session.scalar(select(exists().where(self._is(id_)))))

    async def filtered(self, *criteria: ColumnElement[bool], order_by: Sequence[Any] = ()) -> list[M]:
        """Every row that meets all ``criteria``, in ``order_by`` order (for the few rows of one parent:
        unbounded, unlike ``keyset``)."""
        return list(await self.session.scalars(select(self.model).where(*criteria).order_by(*order_by)))

    async def add(self, row: R, *, refresh: bool = False) -> R:
        """Any new row (the model's, or one that hangs off it), written at once; ``refresh``: then read
        back what the database filled in (defaults such as ``created_at``) for the answer."""
        self.session.add(row)
        await self.session.flush()
        if refresh:
            await self.session.refresh(row)
        return row

    async def add_once(self, row: M) -> bool:
        """Insert the new row (its set columns; unset ones keep their database defaults) unless one
        with the same ``unique_key`` columns is there already (another replica, or the same signal
        delivered twice, put it first): ``ON CONFLICT DO NOTHING``; True when this call created it."""
        columns = self.model.__table__.columns
        values = {c.key: getattr(row, c.key) for c in columns if getattr(row, c.key) is not None}
        stmt = (
            insert(self.model)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(self.unique_key) or None)
        )
        created = await self.session.execute(stmt.returning(*self.model.__table__.primary_key.columns))
        return created.first() is not None

    async def update(self, row: R, **values: Any) -> R:
        """A versioned row (a record a PUT replaces) with ``values`` set, one version on (a new ETag),
        written at once."""
        for name, value in values.items():
            setattr(row, name, value)
        row.version += 1  # type: ignore[attr-defined]
        await self.session.flush()
        return row

    async def keyset(
        self,
        stmt: Select[Any],
        *,
        key: Sequence[InstrumentedAttribute[Any]],
        cursor: str | None,
        limit: int,
        descending: bool = False,
    ) -> Slice[M]:
        """One page of ``stmt`` in ``key`` order after the row the cursor names (``limit + 1`` fetched);
        ``descending``: the key read backwards (newest first)."""
        after = decode_key(cursor, [_python_type(column) for column in key])
        if after is not None:
            left, right = (tuple_(*key), tuple_(*after)) if len(key) > 1 else (key[0], after[0])
            stmt = stmt.where(left < right if descending else left > right)
        order = [column.desc() for column in key] if descending else list(key)
        rows = list((await self.session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
        if len(rows) <= limit:
            return Slice(rows, None)
        last = rows[limit - 1]
        return Slice(rows[:limit], encode_key([getattr(last, column.key) for column in key]))

    async def area_page(
        self, prefix: str, cursor: str | None, limit: int, *where: ColumnElement[bool], **equal: Any
    ) -> Slice[M]:
        """One page, in ``page_key`` order, of the rows under the area ``prefix`` that meet ``where``
        and, for each filter given a value (an empty filter narrows nothing), whose column equals it."""
        stmt = select(self.model).where(self.model.area_code.startswith(prefix), *where)
        for name, value in equal.items():
            if value:
                stmt = stmt.where(getattr(self.model, name) == value)
        key = [getattr(self.model, name) for name in self.page_key]
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit, descending=self.page_descending)


class KeyedRepository(Repository[M]):
    """A table of versioned records under a natural key (``key``: its column names), such as a
    policy per (area prefix, year): the row by its key (locked for a change: from its If-Match check
    to its write), a new record unless another request put the same key first, seeds added once."""

    key: ClassVar[tuple[str, ...]] = ()

    async def by_natural_key(self, *values: Any, lock: bool = False) -> M | None:
        stmt = select(self.model).filter_by(**dict(zip(self.key, values, strict=True)))
        if lock:
            stmt = stmt.with_for_update()
        return await self.session.scalar(stmt.execution_options(populate_existing=True))

    async def insert_new(self, values: dict[str, Any]) -> M | None:
        """The new record at version 1; None if a concurrent request created the same key first."""
        stmt = (
            insert(self.model)
            .values({**values, "version": 1})
            .on_conflict_do_nothing(index_elements=list(self.key))
            .returning(self.model)
        )
        row: M | None = await self.session.scalar(stmt)
        return row

    async def insert_missing(self, rows: list[dict[str, Any]]) -> int:
        """Seeds whose key is not there yet (an edited record stays as it is); how many were added."""
        stmt = insert(self.model).values(rows).on_conflict_do_nothing().returning(self.model.id)
        return len((await self.session.execute(stmt)).all())
