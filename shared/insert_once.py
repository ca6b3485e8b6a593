"""Insert a row unless one with the same unique key is there already (another replica, or the same
signal delivered twice, may insert it first): ``INSERT ... ON CONFLICT DO NOTHING``, and whether
this call created it. Columns the row leaves unset keep their database defaults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_once"]


async def insert_once(session: AsyncSession, row: Any, unique: Sequence[str]) -> bool:
    """Insert the ORM object ``row`` (its set columns) unless the ``unique`` columns clash; True when
    this call created it."""
    model = type(row)
    values = {c.key: getattr(row, c.key) for c in model.__table__.columns if getattr(row, c.key) is not None}
    created = await session.execute(
        insert(model).values(**values).on_conflict_do_nothing(index_elements=list(unique)).returning(model.id)
    )
    return created.first() is not None
