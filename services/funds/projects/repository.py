from __future__ import annotations

import uuid

from sqlalchemy import select

from services.funds.models import Project
from shared.repository import Repository


class ProjectRepository(Repository):
    async def get(self, project_id: uuid.UUID, *, lock: bool = False) -> Project | None:
        stmt = select(Project).where(Project.id == project_id)
        if lock:
            stmt = stmt.with_for_update()
        return (
            await self.session.execute(stmt.execution_options(populate_existing=True))
        ).scalar_one_or_none()

    async def add(self, project: Project) -> None:
        self.session.add(project)
        await self.session.flush()

    async def page(self, *, area_prefix: str, after: str | None, limit: int) -> list[Project]:
        stmt = select(Project).where(Project.area_code.startswith(area_prefix))
        if after is not None:
            stmt = stmt.where(Project.id > uuid.UUID(after))
        return list((await self.session.execute(stmt.order_by(Project.id).limit(limit))).scalars())

    async def in_area(self, area_prefix: str) -> list[Project]:
        stmt = select(Project).where(Project.area_code.startswith(area_prefix)).order_by(Project.created_at)
        return list((await self.session.execute(stmt)).scalars())
