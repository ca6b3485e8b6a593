from __future__ import annotations

import uuid

from sqlalchemy import select

from services.registry.models import ExitRequest
from shared.repository import Repository


class ExitRequestRepository(Repository):
    async def get(self, exit_request_id: uuid.UUID, *, lock: bool = False) -> ExitRequest | None:
        stmt = select(ExitRequest).where(ExitRequest.id == exit_request_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def for_household(self, household_id: uuid.UUID) -> list[ExitRequest]:
        stmt = (
            select(ExitRequest)
            .where(ExitRequest.household_id == household_id)
            .order_by(ExitRequest.requested_on)
        )
        return list((await self.session.execute(stmt)).scalars())
