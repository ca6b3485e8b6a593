"""A household's pairing need opening and closing, shared by the needs and pairings use cases.

It sits apart from ``needs.service`` (which closes pairings through ``pairings.service``) so that
``pairings.service`` can fulfil or reopen a need without importing its caller back.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.models import HouseholdRef, PairingNeed
from services.pairing.needs import events, rules
from services.pairing.needs.repository import HouseholdRepository, NeedRepository
from services.pairing.pairings.repository import PairingRepository
from services.pairing.vocabulary import PairingKind
from shared import audit
from shared.auth import Principal
from shared.clock import clock


async def open_need(session: AsyncSession, actor: Principal | str, household: HouseholdRef) -> None:
    repo = NeedRepository(session)
    if await repo.open_need(household.id) is not None:
        return
    need = await repo.add(
        PairingNeed(
            id=uuid.uuid4(),
            household_id=household.id,
            area_code=household.area_code,
            status="open",
            opened_at=clock.now(),
        )
    )
    await audit.record(
        session,
        actor,
        "need.opened",
        ("pairing_need", need.id),
        after={"household_id": str(household.id), "area_code": household.area_code},
    )
    await events.need_opened(session, need)


async def close_need(
    session: AsyncSession, actor: Principal | str, household_id: uuid.UUID, *, reason: str
) -> None:
    repo = NeedRepository(session)
    need = await repo.open_need(household_id)
    if need is None:
        return
    await repo.finish_need(need, status="closed", reason=reason, at=clock.now())
    await audit.record(
        session,
        actor,
        "need.closed",
        ("pairing_need", need.id),
        before={"status": "open"},
        after={"status": "closed", "reason": reason},
    )


async def reopen_if_unpaired(session: AsyncSession, actor: Principal | str, household_id: uuid.UUID) -> None:
    """After a cadre pairing ends, a household that still needs a cadre gets its need back."""
    household = await HouseholdRepository(session).get(household_id)
    if household is None or household.status not in rules.NEEDS_CADRE:
        return
    active = await PairingRepository(session).active_for_target(str(household_id))
    if not any(p.kind == PairingKind.CADRE_HOUSEHOLD for p in active):
        await open_need(session, actor, household)


async def fulfil_needs(session: AsyncSession, household_ids: list[uuid.UUID]) -> None:
    """Cadres were paired with the households (an import): their open needs are fulfilled."""
    await NeedRepository(session).fulfil_many(household_ids, reason="cadre_paired", at=clock.now())


async def fulfil_need(session: AsyncSession, household_id: uuid.UUID) -> None:
    """A cadre was paired with the household: its open need (if any) is fulfilled."""
    needs = NeedRepository(session)
    need = await needs.open_need(household_id)
    if need is not None:
        await needs.finish_need(need, status="fulfilled", reason="cadre_paired", at=clock.now())
