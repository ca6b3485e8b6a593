"""The rows that belong to one parent (a notice's objections, a finding's rectifications), in
their order: the one read every "show its parts" use case makes."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

__all__ = ["child_rows"]

T = TypeVar("T")


async def child_rows(
    session: AsyncSession,
    model: type[T],
    parent: InstrumentedAttribute[Any],
    parent_id: Any,
    *order: InstrumentedAttribute[Any],
) -> list[T]:
    """Every ``model`` row whose ``parent`` column is ``parent_id``, ordered by ``order``."""
    stmt = select(model).where(parent == parent_id).order_by(*order)
    return list(await session.scalars(stmt))
