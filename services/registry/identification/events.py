"""Identification publishes through the household events; rejection has its own type."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import Household
from shared.events.contracts import emit

REJECTED = "registry.household.rejected.v1"


async def rejected(session: AsyncSession, h: Household, *, reason: str) -> None:
    await emit(
        session,
        contracts.HouseholdRejected.model_validate(
            {"household_id": str(h.id), "area_code": h.area_code, "reason": reason}
        ),
        subject=str(h.id),
    )
