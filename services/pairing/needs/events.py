"""Events the needs sub-domain publishes, and the registry events it consumes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.models import PairingNeed
from shared.events import add_event

NEED_OPENED = "pairing.need.opened.v1"

CONSUMED_AREA = "registry.area.upserted.v1"
CONSUMED_HOUSEHOLD = tuple(
    f"registry.household.{kind}.v1"
    for kind in (
        "candidate_created",
        "registered",
        "updated",
        "exit_requested",
        "exited",
        "exit_returned",
        "relapsed",
        "removed",
        "rejected",
    )
)


async def need_opened(session: AsyncSession, need: PairingNeed) -> None:
    await add_event(
        session,
        type=NEED_OPENED,
        subject=str(need.household_id),
        data={"need_id": str(need.id), "household_id": str(need.household_id), "area_code": need.area_code},
    )
