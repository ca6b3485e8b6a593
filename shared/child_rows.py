"""The rows that belong to one parent (a notice's objections, a finding's rectifications), in
their order: the one read every "show its parts" use case makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

__all__ = ["child_rows"]


async def child_rows(
    session: AsyncSession,
    parent: InstrumentedAttribute[Any],
    parent_id: Any,
    *order: InstrumentedAttribute[Any],
) -> list[Any]:
    """Every row of the ``parent`` column's table whose ``parent`` is ``parent_id``, ordered by ``order``."""
    stmt = select(parent.class_).where(parent == parent_id).order_by(*order)
    return list(await session.scalars(stmt))
