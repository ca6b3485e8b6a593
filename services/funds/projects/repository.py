from __future__ import annotations

from services.funds.models import Project
from shared.repository import Repository, Slice


class ProjectRepository(Repository[Project]):
    model = Project

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Project]:
        return await self.area_page(area_prefix, cursor, limit)
