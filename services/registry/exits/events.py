"""What exits publish and consume (docs/EVENTS.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import ExitRequest, Household
from shared.events import add_event
from shared.pii import mask_name

EXIT_REQUESTED = "registry.household.exit_requested.v1"
EXITED = "registry.household.exited.v1"
EXIT_RETURNED = "registry.household.exit_returned.v1"
# consumed from inspection
EXIT_VERIFIED = "inspection.exit.verified.v1"
EXIT_REJECTED = "inspection.exit.rejected.v1"


async def exit_requested(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    await add_event(
        session,
        type=EXIT_REQUESTED,
        subject=str(h.id),
        data={
            "household_id": str(h.id),
            "area_code": h.area_code,
            "exit_request_id": str(req.id),
            "year": req.year,
            "member_count": h.member_count,
            "head_name_masked": mask_name(h.head_name),
            "eligibility": req.eligibility,
        },
    )


async def exited(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    await add_event(
        session,
        type=EXITED,
        subject=str(h.id),
        data={
            "household_id": str(h.id),
            "area_code": h.area_code,
            "exit_request_id": str(req.id),
            "exited_on": h.exited_on.isoformat() if h.exited_on else None,
            "policies_kept_until": h.policies_kept_until.isoformat() if h.policies_kept_until else None,
            "exit_notice_until": h.exit_notice_until.isoformat() if h.exit_notice_until else None,
            "member_count": h.member_count,
        },
    )


async def exit_returned(session: AsyncSession, h: Household, req: ExitRequest) -> None:
    await add_event(
        session,
        type=EXIT_RETURNED,
        subject=str(h.id),
        data={
            "household_id": str(h.id),
            "area_code": h.area_code,
            "exit_request_id": str(req.id),
            "reason": req.reason,
        },
    )
