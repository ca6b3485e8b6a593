from __future__ import annotations

import uuid

from sqlalchemy import select

from services.registry.models import RelapseCase
from shared.repository import Repository


class RelapseRepository(Repository):
    async def get(self, case_id: uuid.UUID, *, lock: bool = False) -> RelapseCase | None:
        stmt = select(RelapseCase).where(RelapseCase.id == case_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def open_for(self, household_id: uuid.UUID) -> RelapseCase | None:
        stmt = select(RelapseCase).where(
            RelapseCase.household_id == household_id, RelapseCase.status == "open"
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
