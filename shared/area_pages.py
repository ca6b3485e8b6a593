"""Lists of the rows under an area: most repositories page their model by ``area_code`` prefix, in
one key order, optionally narrowed by equal-to filters. A repository names its key once
(``page_key``, newest first with ``page_descending``) and its ``page`` is one line:

    class ComplaintRepository(AreaPages[Complaint]):
        model = Complaint
        page_key = ("created_at", "id")

        async def page(self, *, prefix: str, status: str | None, cursor: str | None, limit: int):
            return await self.area_page(prefix, cursor, limit, status=status)
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, select

from shared.repository import Repository, Slice

__all__ = ["AreaPages"]

M = TypeVar("M")


class AreaPages(Repository[M]):
    """A repository whose rows carry an ``area_code`` and are listed under an area prefix."""

    page_key: ClassVar[tuple[str, ...]] = ("id",)
    page_descending: ClassVar[bool] = False

    async def area_page(
        self, prefix: str, cursor: str | None, limit: int, *where: ColumnElement[bool], **equal: Any
    ) -> Slice[M]:
        """One page of the rows under ``prefix`` that meet ``where`` and, for each filter given a
        value (an empty filter narrows nothing), whose column equals it."""
        stmt = select(self.model).where(self.model.area_code.startswith(prefix), *where)
        for name, value in equal.items():
            if value:
                stmt = stmt.where(getattr(self.model, name) == value)
        key = [getattr(self.model, name) for name in self.page_key]
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit, descending=self.page_descending)
