"""What village and county exits publish and consume (docs/EVENTS.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as inspection
from services.registry import events as contracts
from services.registry.models import Area, AreaExitRequest
from shared.events.contracts import emit

# consumed from inspection
AREA_EXIT_VERIFIED = inspection.AreaExitVerified.type
AREA_EXIT_REJECTED = inspection.AreaExitRejected.type


async def exit_requested(session: AsyncSession, area: Area, req: AreaExitRequest) -> None:
    payload = contracts.AreaExitRequested.from_row(
        req, exit_request_id=req.id, area_code=area.code, area_name=area.name
    )
    await emit(session, payload, subject=area.code)


def _decision(req: AreaExitRequest) -> dict[str, object]:
    """What every decision on an area exit request names (contracts._AreaExitDecision)."""
    return {"exit_request_id": str(req.id), "area_code": req.area_code, "kind": req.kind, "year": req.year}


async def exited(session: AsyncSession, req: AreaExitRequest) -> None:
    exited_on = req.decided_on.isoformat() if req.decided_on else None
    payload = _decision(req) | {"exited_on": exited_on, "dossier_id": req.dossier_id}
    await emit(session, contracts.AreaExited.model_validate(payload), subject=req.area_code)


async def exit_returned(session: AsyncSession, req: AreaExitRequest) -> None:
    payload = _decision(req) | {"reason": req.reason}
    await emit(session, contracts.AreaExitReturned.model_validate(payload), subject=req.area_code)
