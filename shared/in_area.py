"""A record by its key, if it lies in the caller's area: the read every "get one" use case starts
with. An unknown key and a record outside the area answer alike (``missing``), so a caller cannot
learn what exists beyond their area."""

from __future__ import annotations

from typing import Any, TypeVar

from shared.auth import Principal
from shared.errors import DomainError
from shared.repository import Repository

__all__ = ["in_area"]

M = TypeVar("M")


async def in_area(
    repo: Repository[M], key: Any, actor: Principal, missing: DomainError, *, lock: bool = False
) -> M:
    """The row of ``repo`` with this primary key (``lock``: ``FOR UPDATE``) if the caller covers its
    ``area_code``; else ``missing`` is raised (the service's own not-found error, with its wording)."""
    row = await repo.get(key, lock=lock)
    if row is None or not actor.covers(getattr(row, "area_code")):  # noqa: B009 - M names no columns
        raise missing
    return row
