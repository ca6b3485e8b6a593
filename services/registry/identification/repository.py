from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.registry.models import Objection
from shared.repository import Repository


class ObjectionRepository(Repository[Objection]):
    model = Objection

    async def of_household(self, household_id: uuid.UUID, objection_id: uuid.UUID) -> Objection | None:
        stmt = select(Objection).where(Objection.id == objection_id, Objection.household_id == household_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def open_count(self, household_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(Objection.household_id == household_id, Objection.status == "open")
        return int((await self.session.execute(stmt)).scalar_one())

    async def for_household(self, household_id: uuid.UUID) -> list[Objection]:
        return await self.filtered(Objection.household_id == household_id, order_by=[Objection.lodged_on])
