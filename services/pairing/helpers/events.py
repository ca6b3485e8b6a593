"""Events the helpers sub-domain publishes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import Helper
from shared.events.contracts import emit

HELPER_LEFT = contracts.HelperLeft.type


async def helper_left(session: AsyncSession, helper: Helper, *, handed_over: int) -> None:
    payload = contracts.HelperLeft.from_row(helper, helper_id=helper.id, households_handed_over=handed_over)
    await emit(session, payload, subject=str(helper.id))
