"""Events the visits sub-domain publishes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.models import Visit
from shared.events import add_event

VISIT_RECORDED = "pairing.visit.recorded.v1"


async def visit_recorded(session: AsyncSession, visit: Visit) -> None:
    await add_event(
        session,
        type=VISIT_RECORDED,
        subject=str(visit.id),
        data={
            "visit_id": str(visit.id),
            "household_id": str(visit.household_id),
            "area_code": visit.area_code,
            "cadre_id": str(visit.helper_id),
            "visited_on": visit.visited_on.isoformat(),
            "kind": visit.kind,
        },
    )
