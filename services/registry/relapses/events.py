from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import Household, Member
from shared.events.contracts import emit

RELAPSED = contracts.HouseholdRelapsed.type


async def relapsed(session: AsyncSession, h: Household, members: Sequence[Member], *, plan_year: int) -> None:
    payload = contracts.HouseholdRelapsed.from_row(
        h, household_id=h.id, plan_year=plan_year, member_ids=[str(m.id) for m in members]
    )
    await emit(session, payload, subject=str(h.id))
