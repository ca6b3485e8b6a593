"""Identification publishes through the household events; rejection has its own type."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import Household
from shared.events.contracts import emit

REJECTED = contracts.HouseholdRejected.type


async def rejected(session: AsyncSession, h: Household, *, reason: str) -> None:
    payload = contracts.HouseholdRejected.from_row(h, household_id=h.id, reason=reason)
    await emit(session, payload, subject=str(h.id))
