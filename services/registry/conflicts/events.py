"""Identity conflicts on the bus: ids and area codes only, never a person's ID or name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import IdentityConflict
from shared.events import add_event

OPENED = "registry.identity_conflict.opened.v1"
RESOLVED = "registry.identity_conflict.resolved.v1"


def _data(c: IdentityConflict) -> dict[str, object]:
    return {
        "conflict_id": str(c.id),
        "area_code": c.queue_prefix.ljust(12, "0"),
        "queue_level": c.queue_level,
        "claim_kind": c.claim_kind,
        "claim_area_code": c.claim_area_code,
        "held_area_code": c.held_area_code,
        "status": c.status,
    }


async def opened(session: AsyncSession, c: IdentityConflict) -> None:
    await add_event(session, type=OPENED, subject=str(c.id), data=_data(c))


async def resolved(session: AsyncSession, c: IdentityConflict) -> None:
    await add_event(
        session,
        type=RESOLVED,
        subject=str(c.id),
        data=_data(c) | {"held_household_id": str(c.held_household_id), "resolved_on": str(c.resolved_on)},
    )
