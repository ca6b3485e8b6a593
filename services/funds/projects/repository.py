from __future__ import annotations

from sqlalchemy import select

from services.funds.models import Project
from shared.repository import Repository, Slice


class ProjectRepository(Repository[Project]):
    model = Project

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Project]:
        stmt = select(Project).where(Project.area_code.startswith(area_prefix))
        return await self.keyset(stmt, key=(Project.id,), cursor=cursor, limit=limit)
