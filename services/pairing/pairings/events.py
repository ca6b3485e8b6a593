"""Events the pairings sub-domain publishes (through the outbox, in the caller's transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.models import Helper, Pairing
from shared.events import add_event

OPENED = "pairing.pairing.opened.v1"
CLOSED = "pairing.pairing.closed.v1"


async def _helper_sub(session: AsyncSession, p: Pairing) -> str | None:
    """The helper's login: the other services limit a cadre's reads to the households paired to it."""
    helper = await session.get(Helper, p.helper_id)
    return helper.user_sub if helper is not None else None


async def opened(session: AsyncSession, p: Pairing) -> None:
    await add_event(
        session,
        type=OPENED,
        subject=str(p.id),
        data={
            "pairing_id": str(p.id),
            "kind": p.kind,
            "area_code": p.area_code,
            "helper_id": str(p.helper_id),
            "helper_sub": await _helper_sub(session, p),
            "target_type": p.target_type,
            "target_id": p.target_id,
            "started_on": p.started_on.isoformat(),
        },
    )


async def closed(session: AsyncSession, p: Pairing) -> None:
    await add_event(
        session,
        type=CLOSED,
        subject=str(p.id),
        data={
            "pairing_id": str(p.id),
            "kind": p.kind,
            "area_code": p.area_code,
            "helper_id": str(p.helper_id),
            "helper_sub": await _helper_sub(session, p),
            "target_type": p.target_type,
            "target_id": p.target_id,
            "ended_on": p.ended_on.isoformat() if p.ended_on else None,
            "reason": p.end_reason,
        },
    )
