"""Events the pairings sub-domain publishes (through the outbox, in the caller's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import Helper, Pairing
from shared.events.contracts import emit, emit_many

OPENED = contracts.PairingOpened.type
CLOSED = contracts.PairingClosed.type


async def _helper_sub(session: AsyncSession, p: Pairing) -> str | None:
    """The helper's login: the other services limit a cadre's reads to the households paired to it."""
    helper = await session.get(Helper, p.helper_id)
    return helper.user_sub if helper is not None else None


def _opened(p: Pairing, helper_sub: str | None) -> contracts.PairingOpened:
    return contracts.PairingOpened.from_row(p, pairing_id=p.id, helper_sub=helper_sub)


async def opened(session: AsyncSession, p: Pairing) -> None:
    await emit(session, _opened(p, await _helper_sub(session, p)), subject=str(p.id))


async def opened_many(
    session: AsyncSession, pairings: Sequence[Pairing], subs: Mapping[uuid.UUID, str | None]
) -> None:
    """The events of many pairings (an import's), in one INSERT; ``subs``: each helper's login."""
    await emit_many(session, [(str(p.id), _opened(p, subs.get(p.helper_id))) for p in pairings])


async def closed(session: AsyncSession, p: Pairing) -> None:
    payload = contracts.PairingClosed.from_row(
        p, pairing_id=p.id, helper_sub=await _helper_sub(session, p), reason=p.end_reason
    )
    await emit(session, payload, subject=str(p.id))
