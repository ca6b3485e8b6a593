"""Identification publishes through the household events; rejection has its own type."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import Household
from shared.events import add_event

REJECTED = "registry.household.rejected.v1"


async def rejected(session: AsyncSession, h: Household, *, reason: str) -> None:
    await add_event(
        session,
        type=REJECTED,
        subject=str(h.id),
        data={"household_id": str(h.id), "area_code": h.area_code, "reason": reason},
    )
