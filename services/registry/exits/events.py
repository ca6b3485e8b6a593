"""What exits publish and consume (docs/EVENTS.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as inspection
from services.registry import events as contracts
from services.registry.models import ExitRequest, Household
from shared.events.contracts import emit
from shared.pii import mask_name

# consumed from inspection
EXIT_VERIFIED = inspection.ExitVerified.type
EXIT_REJECTED = inspection.ExitRejected.type


async def exit_requested(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    payload = contracts.HouseholdExitRequested.from_row(
        req,
        household_id=h.id,
        area_code=h.area_code,
        exit_request_id=req.id,
        member_count=h.member_count,
        head_name_masked=mask_name(h.head_name),
    )
    await emit(session, payload, subject=str(h.id))


async def exited(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    payload = contracts.HouseholdExited.from_row(h, household_id=h.id, exit_request_id=req.id)
    await emit(session, payload, subject=str(h.id))


async def exit_returned(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    payload = contracts.HouseholdExitReturned.from_row(
        req, household_id=h.id, area_code=h.area_code, exit_request_id=req.id
    )
    await emit(session, payload, subject=str(h.id))
