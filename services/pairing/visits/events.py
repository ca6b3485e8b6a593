"""Events the visits sub-domain publishes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import Visit
from shared.events.contracts import emit

VISIT_RECORDED = contracts.VisitRecordedV2.type


async def visit_recorded(session: AsyncSession, visit: Visit) -> None:
    payload = contracts.VisitRecordedV2.from_row(visit, visit_id=visit.id, cadre_id=visit.helper_id)
    await emit(session, payload, subject=str(visit.id))
