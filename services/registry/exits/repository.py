from __future__ import annotations

import uuid

from services.registry.models import ExitRequest
from shared.repository import Repository


class ExitRequestRepository(Repository[ExitRequest]):
    model = ExitRequest

    async def for_household(self, household_id: uuid.UUID) -> list[ExitRequest]:
        return await self.filtered(
            ExitRequest.household_id == household_id, order_by=[ExitRequest.requested_on]
        )
