"""Events the helpers sub-domain publishes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import Helper
from shared.events.contracts import emit

HELPER_LEFT = "pairing.helper.left.v1"


async def helper_left(session: AsyncSession, helper: Helper, *, handed_over: int) -> None:
    await emit(
        session,
        contracts.HelperLeft.model_validate(
            {
                "helper_id": str(helper.id),
                "kind": helper.kind,
                "area_code": helper.area_code,
                "left_on": helper.left_on.isoformat() if helper.left_on else None,
                "households_handed_over": handed_over,
            }
        ),
        subject=str(helper.id),
    )
