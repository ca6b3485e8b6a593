from __future__ import annotations

import uuid

from sqlalchemy import select

from services.registry.models import RelapseCase
from shared.repository import Repository


class RelapseRepository(Repository[RelapseCase]):
    model = RelapseCase

    async def open_for(self, household_id: uuid.UUID) -> RelapseCase | None:
        stmt = select(RelapseCase).where(
            RelapseCase.household_id == household_id, RelapseCase.status == "open"
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
