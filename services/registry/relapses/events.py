from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import Household, Member
from shared.events.contracts import emit

RELAPSED = "registry.household.relapsed.v1"


async def relapsed(session: AsyncSession, h: Household, members: Sequence[Member], *, plan_year: int) -> None:
    await emit(
        session,
        contracts.HouseholdRelapsed.model_validate(
            {
                "household_id": str(h.id),
                "area_code": h.area_code,
                "plan_year": plan_year,
                "member_count": h.member_count,
                "member_ids": [str(m.id) for m in members],
            }
        ),
        subject=str(h.id),
    )
