"""What exits publish and consume (docs/EVENTS.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as inspection
from services.registry import events as contracts
from services.registry.models import ExitRequest, Household
from shared.events.contracts import emit
from shared.pii import mask_name

EXIT_REQUESTED = contracts.HouseholdExitRequested.type
EXITED = contracts.HouseholdExited.type
EXIT_RETURNED = contracts.HouseholdExitReturned.type
# consumed from inspection
EXIT_VERIFIED = inspection.ExitVerified.type
EXIT_REJECTED = inspection.ExitRejected.type


async def exit_requested(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    await emit(
        session,
        contracts.HouseholdExitRequested.model_validate(
            {
                "household_id": str(h.id),
                "area_code": h.area_code,
                "exit_request_id": str(req.id),
                "year": req.year,
                "member_count": h.member_count,
                "head_name_masked": mask_name(h.head_name),
                "eligibility": req.eligibility,
            }
        ),
        subject=str(h.id),
    )


async def exited(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    await emit(
        session,
        contracts.HouseholdExited(
            household_id=str(h.id),
            area_code=h.area_code,
            exit_request_id=str(req.id),
            exited_on=h.exited_on,
            policies_kept_until=h.policies_kept_until,
            exit_notice_until=h.exit_notice_until,
            member_count=h.member_count,
        ),
        subject=str(h.id),
    )


async def exit_returned(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    await emit(
        session,
        contracts.HouseholdExitReturned(
            household_id=str(h.id), area_code=h.area_code, exit_request_id=str(req.id), reason=req.reason
        ),
        subject=str(h.id),
    )
