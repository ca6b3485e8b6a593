from __future__ import annotations

import uuid

from sqlalchemy import select

from services.registry.models import ExitRequest
from shared.repository import Repository


class ExitRequestRepository(Repository[ExitRequest]):
    model = ExitRequest

    async def for_household(self, household_id: uuid.UUID) -> list[ExitRequest]:
        stmt = (
            select(ExitRequest)
            .where(ExitRequest.household_id == household_id)
            .order_by(ExitRequest.requested_on)
        )
        return list((await self.session.execute(stmt)).scalars())
