"""Events the visits sub-domain publishes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import Visit
from shared.events.contracts import emit

VISIT_RECORDED = "pairing.visit.recorded.v1"


async def visit_recorded(session: AsyncSession, visit: Visit) -> None:
    await emit(
        session,
        contracts.VisitRecorded.model_validate(
            {
                "visit_id": str(visit.id),
                "household_id": str(visit.household_id),
                "area_code": visit.area_code,
                "cadre_id": str(visit.helper_id),
                "visited_on": visit.visited_on.isoformat(),
                "kind": visit.kind,
            }
        ),
        subject=str(visit.id),
    )
