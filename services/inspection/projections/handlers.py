"""Keep local copies of registry, funds and pairing facts the assessment and sampling read.

Each handler is idempotent on its own (upserts), besides the inbox's at-most-once guarantee.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as funds
from services.inspection.projections.repository import ProjectionRepository
from services.pairing import events as pairing
from services.registry import events as registry
from shared import cadres
from shared.clock import clock
from shared.events import CloudEvent
from shared.events.contracts import parse


def _event_day(event: CloudEvent) -> date:
    """The China date an event happened, for events whose data carries no date of their own."""
    return clock.date_of(event.time)


class _AboutHousehold(Protocol):
    """A registry event's data that names a household and its area."""

    @property
    def household_id(self) -> str: ...

    @property
    def area_code(self) -> str: ...


def _movement(
    event: CloudEvent, d: _AboutHousehold, kind: str, persons: int, happened_on: date | None = None
) -> dict[str, Any]:
    """A household's move into or out of the roll, keyed by the event that told of it (a redelivered
    event adds nothing); ``happened_on`` defaults to the day of the event."""
    return {
        "event_id": event.id,
        "household_id": d.household_id,
        "area_code": d.area_code,
        "kind": kind,
        "origin": getattr(d, "origin", None),  # only a registration says where it came from
        "happened_on": happened_on or _event_day(event),
        "persons": persons,
    }


async def on_area_upserted(session: AsyncSession, event: CloudEvent) -> None:
    d = registry.AreaUpserted.of(event)
    await ProjectionRepository(session).upsert_area(
        code=d.code,
        name=d.name or d.code,
        level=d.level,
        rural_population=d.rural_population,
    )


async def on_household_registered(session: AsyncSession, event: CloudEvent) -> None:
    await on_households_registered(session, [event])


async def on_households_registered(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    """Registered households: their copies in one upsert, their roll movements in one INSERT (a
    household registered twice in one run goes one event at a time, in order)."""
    named = Counter(registry.HouseholdRegistered.of(e).household_id for e in events)
    rows, movements = [], []
    repo = ProjectionRepository(session)
    for event in events:
        d = registry.HouseholdRegistered.of(event)
        members = d.member_count or 0
        household = {
            "household_id": d.household_id,
            "area_code": d.area_code,
            "status": "registered",
            "member_count": members,
            "exited_on": None,
        }
        movement = _movement(event, d, "registered", members, d.registered_on)
        if named[d.household_id] == 1:
            rows.append(household)
            movements.append(movement)
        else:
            await repo.upsert_household(**household)
            await repo.add_movement(**movement)
    await repo.upsert_households(rows)
    await repo.add_movements(movements)


async def on_household_updated(session: AsyncSession, event: CloudEvent) -> None:
    d = registry.HouseholdUpdated.of(event)
    repo = ProjectionRepository(session)
    household_id = d.household_id
    known = await repo.household(household_id)
    await repo.upsert_household(
        household_id=household_id,
        area_code=d.area_code,
        status=d.status or "registered",
        member_count=d.member_count or 0,
    )
    if known is not None and known.area_code != d.area_code:
        # The household moved (change "moved"): the pairings that carry on serve it where it now
        # lives (pairing moves them without an event of its own); visits stay where they were made.
        await repo.move_open_pairings(household_id, area_code=d.area_code)


async def on_exit_requested_projection(session: AsyncSession, event: CloudEvent) -> None:
    d = registry.HouseholdExitRequested.of(event)
    await ProjectionRepository(session).upsert_household(
        household_id=d.household_id,
        area_code=d.area_code,
        status="exit_requested",
        member_count=d.member_count or 0,
    )


async def on_household_exited(session: AsyncSession, event: CloudEvent) -> None:
    d = registry.HouseholdExited.of(event)
    if d.exited_on is None:
        raise ValueError("an exited event names no exited_on")
    repo = ProjectionRepository(session)
    members = d.member_count or 0
    await repo.upsert_household(
        household_id=d.household_id,
        area_code=d.area_code,
        status="exited",
        member_count=members,
        exited_on=d.exited_on,
        policies_kept_until=d.policies_kept_until,
    )
    await repo.add_movement(**_movement(event, d, "exited", members, d.exited_on))


async def on_household_back_in_roll(session: AsyncSession, event: CloudEvent) -> None:
    """An exit request returned, or a relapse: the household is poor and registered again."""
    d = parse(event)
    if not isinstance(d, registry.HouseholdExitReturned | registry.HouseholdRelapsed):
        raise TypeError(f"{event.type} does not put a household back in the roll")
    await ProjectionRepository(session).set_household_status(
        d.household_id, "registered", policies_kept_until=None
    )


async def on_household_relapsed(session: AsyncSession, event: CloudEvent) -> None:
    """Back in the roll, and a dated relapse (the event carries no date: the day it happened)."""
    d = registry.HouseholdRelapsed.of(event)
    repo = ProjectionRepository(session)
    household_id = d.household_id
    known = await repo.household(household_id)
    await on_household_back_in_roll(session, event)
    members = d.member_count
    persons = members if members is not None else (known.member_count if known else 0)
    await repo.add_movement(**_movement(event, d, "relapsed", persons))


async def on_household_removed(session: AsyncSession, event: CloudEvent) -> None:
    d = registry.HouseholdRemoved.of(event)
    repo = ProjectionRepository(session)
    household_id = d.household_id
    known = await repo.household(household_id)  # the event names no member count: ours, before removal
    await repo.set_household_status(household_id, "removed")
    persons = known.member_count if known else 0
    await repo.add_movement(**_movement(event, d, "removed", persons))


async def on_pairing_opened(session: AsyncSession, event: CloudEvent) -> None:
    d = pairing.PairingOpened.of(event)
    await ProjectionRepository(session).upsert_pairing(
        pairing_id=d.pairing_id,
        kind=d.kind,
        area_code=d.area_code,
        helper_id=d.helper_id or "",
        target_id=d.target_id,
        is_open=True,
    )
    await cadres.on_pairing_opened(session, event)  # a cadre reads findings on their households


async def on_pairing_closed(session: AsyncSession, event: CloudEvent) -> None:
    # The closing event names where the pairing served (a household that moved may have taken
    # the open copy along before this event arrived).
    d = pairing.PairingClosed.of(event)
    await ProjectionRepository(session).close_pairing(d.pairing_id, area_code=d.area_code)
    await cadres.on_pairing_closed(session, event)


async def on_visit_recorded(session: AsyncSession, event: CloudEvent) -> None:
    await on_visits_recorded(session, [event])


async def on_visits_recorded(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    visits = [pairing.visit_recorded(e) for e in events]  # version 1 or 2
    await ProjectionRepository(session).add_visits(
        [
            {
                "visit_id": d.visit_id,
                "household_id": d.household_id,
                "area_code": d.area_code,
                "visited_on": d.visited_on,
                "satisfaction": d.satisfaction,
            }
            for d in visits
        ]
    )


async def on_disbursement_recorded(session: AsyncSession, event: CloudEvent) -> None:
    d = funds.DisbursementRecorded.of(event)
    if d.year is None:
        raise ValueError("a disbursement event names no year")
    await ProjectionRepository(session).add_disbursement(
        disbursement_id=d.disbursement_id,
        area_code=d.area_code,
        amount_fen=d.amount_fen,
        year=d.year,
        recorded_on=_event_day(event),
    )


async def on_disbursement_reversed(session: AsyncSession, event: CloudEvent) -> None:
    d = funds.DisbursementReversed.of(event)
    if d.amount_fen is None:
        raise ValueError("a reversal event names no amount_fen")
    await ProjectionRepository(session).reverse_disbursement(d.disbursement_id, d.amount_fen)


async def on_plan_recomputed(session: AsyncSession, event: CloudEvent) -> None:
    """A plan counts in its first scheduled year (funds sends ``year`` = first year, or null for a
    plan with no schedule yet, which is nothing to disburse)."""
    d = funds.PlanRecomputed.of(event)
    if d.year is None:
        return
    await ProjectionRepository(session).upsert_plan(
        plan_id=d.plan_id,
        area_code=d.area_code,
        total_fen=d.total_fen,
        year=d.year,
    )
