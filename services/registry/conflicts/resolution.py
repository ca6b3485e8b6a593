"""The identity-conflict queue: an officer (approver or admin) whose area covers both sides sees
them and decides keep, move or reject; the clerk who entered the person sees only the outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.conflicts import events
from services.registry.conflicts.repository import ConflictRepository
from services.registry.conflicts.rules import OFFICER_ROLES, STATUS_AFTER, Outcome
from services.registry.conflicts.schemas import ResolutionIn
from services.registry.errors import IdentityConflictClosed, IdentityConflictNotFound
from services.registry.households import changes
from services.registry.households.repository import HouseholdRepository
from services.registry.households.schemas import MemberRemoval
from services.registry.models import Household, IdentityConflict, Member
from shared import audit
from shared.auth import Principal
from shared.errors import Forbidden
from shared.repository import Slice


def _officer(actor: Principal, c: IdentityConflict) -> bool:
    return (
        actor.has_role(*OFFICER_ROLES) and actor.covers(c.held_area_code) and actor.covers(c.claim_area_code)
    )


def _claimant(actor: Principal, c: IdentityConflict) -> bool:
    return actor.covers(c.claim_area_code)


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict as its reader may see it: the officer with the side already held (household and
    member), the claimant (the clerk who entered the person) with the conflict alone."""

    conflict: IdentityConflict
    held: tuple[Household, Member] | None


async def _full(session: AsyncSession, c: IdentityConflict) -> ConflictView:
    repo = HouseholdRepository(session)
    h = await repo.get(c.held_household_id)
    m = await repo.member(c.held_household_id, c.held_member_id)
    assert h is not None  # foreign keys
    assert m is not None
    return ConflictView(c, (h, m))


def _not_found(conflict_id: uuid.UUID) -> IdentityConflictNotFound:
    return IdentityConflictNotFound(f"identity conflict {conflict_id} does not exist in your area")


async def get(*, session: AsyncSession, actor: Principal, conflict_id: uuid.UUID) -> ConflictView:
    c = await ConflictRepository(session).get(conflict_id)
    if c is None:
        raise _not_found(conflict_id)
    if _officer(actor, c):
        return await _full(session, c)
    if _claimant(actor, c):
        return ConflictView(c, None)
    raise _not_found(conflict_id)


async def queue(
    *, session: AsyncSession, actor: Principal, status: str | None, cursor: str | None, limit: int
) -> Slice[ConflictView]:
    """Conflicts whose both areas lie in the officer's area (routed to its level or below)."""
    if not actor.has_role(*OFFICER_ROLES):
        raise Forbidden(
            "the identity-conflict queue is for approvers and admins", required_roles=["approver"]
        )
    found = await ConflictRepository(session).queue(
        actor.area_prefix, status=status, cursor=cursor, limit=limit
    )
    return Slice([await _full(session, c) for c in found.items], found.next_cursor)


async def resolve(
    *, session: AsyncSession, actor: Principal, conflict_id: uuid.UUID, data: ResolutionIn, today: date
) -> ConflictView:
    """keep / reject: nothing changes in either household, the claim stays refused. move: the
    person leaves the household where they were active (member removed, reason moved_away, as a
    life change of that household: the head or the last member cannot leave, 409), so the clerk
    can enter them where they now live."""
    c = await ConflictRepository(session).get(conflict_id, lock=True)
    if c is None or not _officer(actor, c):
        raise _not_found(conflict_id)
    if c.status != "open":
        raise IdentityConflictClosed(
            f"identity conflict {conflict_id} was resolved on {c.resolved_on} ({c.status})", status=c.status
        )
    if data.outcome is Outcome.MOVE:
        await changes.remove_member(
            session=session,
            actor=actor,
            household_id=c.held_household_id,
            member_id=c.held_member_id,
            data=MemberRemoval(reason="moved_away", on=today),
            today=today,
        )
    status = STATUS_AFTER[data.outcome]
    c.resolved_by, c.resolved_on, c.resolution_note = actor.actor, today, data.note
    await audit.record_update(
        session,
        actor,
        f"identity_conflict.{status}",
        ("identity_conflict", c.id),
        c,
        note={"outcome": data.outcome.value, "note": data.note},
        status=status,
    )
    await events.resolved(session, c)
    return await _full(session, c)
