"""Keep local copies of registry, funds and pairing facts the assessment and sampling read.

Each handler is idempotent on its own (upserts), besides the inbox's at-most-once guarantee.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.projections.repository import ProjectionRepository
from shared import cadres
from shared.clock import clock
from shared.events import CloudEvent


def _event_day(event: CloudEvent) -> date:
    """The China date an event happened, for events whose data carries no date of their own."""
    return clock.date_of(event.time)


async def on_area_upserted(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    await ProjectionRepository(session).upsert_area(
        code=d["code"],
        name=d.get("name") or d["code"],
        level=d["level"],
        rural_population=d.get("rural_population"),
    )


async def on_household_registered(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    repo = ProjectionRepository(session)
    members = int(d.get("member_count") or 0)
    await repo.upsert_household(
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        status="registered",
        member_count=members,
        exited_on=None,
    )
    registered_on = d.get("registered_on")
    await repo.add_movement(
        event_id=event.id,
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        kind="registered",
        origin=d.get("origin"),
        happened_on=date.fromisoformat(registered_on) if registered_on else _event_day(event),
        persons=members,
    )


async def on_household_updated(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    repo = ProjectionRepository(session)
    household_id = str(d["household_id"])
    known = await repo.household(household_id)
    await repo.upsert_household(
        household_id=household_id,
        area_code=d["area_code"],
        status=d.get("status") or "registered",
        member_count=int(d.get("member_count") or 0),
    )
    if known is not None and known.area_code != d["area_code"]:
        # The household moved (change "moved"): the pairings that carry on serve it where it now
        # lives (pairing moves them without an event of its own); visits stay where they were made.
        await repo.move_open_pairings(household_id, area_code=d["area_code"])


async def on_exit_requested_projection(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    await ProjectionRepository(session).upsert_household(
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        status="exit_requested",
        member_count=int(d.get("member_count") or 0),
    )


async def on_household_exited(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    repo = ProjectionRepository(session)
    exited_on = date.fromisoformat(d["exited_on"])
    members = int(d.get("member_count") or 0)
    kept = d.get("policies_kept_until")
    await repo.upsert_household(
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        status="exited",
        member_count=members,
        exited_on=exited_on,
        policies_kept_until=date.fromisoformat(kept) if kept else None,
    )
    await repo.add_movement(
        event_id=event.id,
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        kind="exited",
        origin=None,
        happened_on=exited_on,
        persons=members,
    )


async def on_household_back_in_roll(session: AsyncSession, event: CloudEvent) -> None:
    """An exit request returned, or a relapse: the household is poor and registered again."""
    await ProjectionRepository(session).set_household_status(
        str(event.data["household_id"]), "registered", policies_kept_until=None
    )


async def on_household_relapsed(session: AsyncSession, event: CloudEvent) -> None:
    """Back in the roll, and a dated relapse (the event carries no date: the day it happened)."""
    d = event.data
    repo = ProjectionRepository(session)
    household_id = str(d["household_id"])
    known = await repo.household(household_id)
    await on_household_back_in_roll(session, event)
    members = d.get("member_count")
    await repo.add_movement(
        event_id=event.id,
        household_id=household_id,
        area_code=d["area_code"],
        kind="relapsed",
        origin=None,
        happened_on=_event_day(event),
        persons=int(members) if members is not None else (known.member_count if known else 0),
    )


async def on_household_removed(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    repo = ProjectionRepository(session)
    household_id = str(d["household_id"])
    known = await repo.household(household_id)  # the event names no member count: ours, before removal
    await repo.set_household_status(household_id, "removed")
    await repo.add_movement(
        event_id=event.id,
        household_id=household_id,
        area_code=d["area_code"],
        kind="removed",
        origin=None,
        happened_on=_event_day(event),
        persons=known.member_count if known else 0,
    )


async def on_pairing_opened(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    await ProjectionRepository(session).upsert_pairing(
        pairing_id=str(d["pairing_id"]),
        kind=d["kind"],
        area_code=d["area_code"],
        helper_id=str(d.get("helper_id") or ""),
        target_id=str(d["target_id"]),
        is_open=True,
    )
    await cadres.on_pairing_opened(session, event)  # a cadre reads findings on their households


async def on_pairing_closed(session: AsyncSession, event: CloudEvent) -> None:
    # The closing event names where the pairing served (a household that moved may have taken
    # the open copy along before this event arrived).
    await ProjectionRepository(session).close_pairing(
        str(event.data["pairing_id"]), area_code=event.data.get("area_code")
    )
    await cadres.on_pairing_closed(session, event)


async def on_visit_recorded(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    await ProjectionRepository(session).add_visit(
        visit_id=str(d["visit_id"]),
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        visited_on=date.fromisoformat(d["visited_on"]),
    )


async def on_disbursement_recorded(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    await ProjectionRepository(session).add_disbursement(
        disbursement_id=str(d["disbursement_id"]),
        area_code=d["area_code"],
        amount_fen=int(d["amount_fen"]),
        year=int(d["year"]),
        recorded_on=_event_day(event),
    )


async def on_disbursement_reversed(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    await ProjectionRepository(session).reverse_disbursement(str(d["disbursement_id"]), int(d["amount_fen"]))


async def on_plan_recomputed(session: AsyncSession, event: CloudEvent) -> None:
    """A plan counts in its first scheduled year (funds sends ``year`` = first year, or null for a
    plan with no schedule yet, which is nothing to disburse)."""
    d = event.data
    if d.get("year") is None:
        return
    await ProjectionRepository(session).upsert_plan(
        plan_id=str(d["plan_id"]),
        area_code=d["area_code"],
        total_fen=int(d["total_fen"]),
        year=int(d["year"]),
    )
