"""Identity conflicts on the bus: ids and area codes only, never a person's ID or name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import IdentityConflict
from shared.events.contracts import emit

OPENED = contracts.IdentityConflictOpened.type
RESOLVED = contracts.IdentityConflictResolved.type


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
    await emit(session, contracts.IdentityConflictOpened.model_validate(_data(c)), subject=str(c.id))


async def resolved(session: AsyncSession, c: IdentityConflict) -> None:
    await emit(
        session,
        contracts.IdentityConflictResolved.model_validate(
            _data(c) | {"held_household_id": str(c.held_household_id), "resolved_on": str(c.resolved_on)}
        ),
        subject=str(c.id),
    )
