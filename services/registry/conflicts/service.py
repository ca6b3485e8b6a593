"""Opening identity conflicts (one person, one household, across areas).

A clerk who enters a person already active in a household of an area the clerk may not read
gets no detail of that household: the claim is recorded as a conflict routed to the lowest level
covering both areas (rules.queue_for), and the clerk gets the conflict's id. Resolution is in
resolution.py (it needs the household life changes, which import this module).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.conflicts import events
from services.registry.conflicts.repository import ConflictRepository
from services.registry.conflicts.rules import ClaimKind, queue_for
from services.registry.errors import PersonActiveElsewhere
from services.registry.models import Household, IdentityConflict, Member
from shared import audit
from shared.auth import Principal


@dataclass(frozen=True, slots=True)
class Claim:
    """What the clerk was doing when the duplicate showed up."""

    kind: ClaimKind
    area_code: str  # the village the clerk entered the person in
    household_id: uuid.UUID | None = None  # the household a member was being added to
    index: int | None = None  # the row of a bulk import


async def open_conflicts(
    session: AsyncSession,
    actor: Principal,
    claim: Claim,
    pairs: Sequence[tuple[Member, Member, Household]],
    *,
    today: date,
) -> PersonActiveElsewhere:
    """Record a conflict per (entered person, their active membership, its household), or find
    the one already open for the same claim, audit and publish it. Returns the error to raise:
    the caller's change is refused, the conflicts stay (the router commits them)."""
    repo = ConflictRepository(session)
    ids: list[str] = []
    for entered, held, household in pairs:
        found = await repo.open_for(
            resident_id_hash=entered.resident_id_hash,
            held_member_id=held.id,
            claim_area_code=claim.area_code,
            claim_kind=claim.kind.value,
        )
        if found is None:
            prefix, level = queue_for(household.area_code, claim.area_code)
            found = IdentityConflict(
                id=uuid.uuid4(),
                status="open",
                resident_id_hash=entered.resident_id_hash,
                queue_prefix=prefix,
                queue_level=level,
                held_household_id=household.id,
                held_member_id=held.id,
                held_area_code=household.area_code,
                claim_kind=claim.kind.value,
                claim_area_code=claim.area_code,
                claim_household_id=claim.household_id,
                claim_person={
                    "name": entered.name,
                    "resident_id_masked": entered.resident_id_masked,
                    "relation": entered.relation,
                },
                opened_by=actor.actor,
                opened_on=today,
            )
            await repo.add(found)
            await audit.record_new(
                session,
                actor,
                "identity_conflict.opened",
                found,
                "queue_level",
                "queue_prefix",
                "claim_kind",
                "claim_area_code",
                "claim_household_id",
                "held_household_id",
                "held_member_id",
            )
            await events.opened(session, found)
        ids.append(str(found.id))
    where = f" (row {claim.index} of the import)" if claim.index is not None else ""
    extensions: dict[str, Any] = {"conflict_ids": ids}
    if claim.index is not None:
        extensions["index"] = claim.index
    return PersonActiveElsewhere(
        f"{len(ids)} person(s){where} are already active in a household outside your area; nothing was "
        "saved. The case went to the officer covering both areas, who keeps the person where they are, "
        "moves them, or rejects the entry; quote the conflict id",
        **extensions,
    )
