"""Keep local copies of registry, funds and pairing facts the assessment and sampling read.

Each handler is idempotent on its own (upserts), besides the inbox's at-most-once guarantee.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.projections.repository import ProjectionRepository
from shared.events import CloudEvent


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
    await ProjectionRepository(session).upsert_household(
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        status="registered",
        member_count=int(d.get("member_count") or 0),
        exited_on=None,
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
    await ProjectionRepository(session).upsert_household(
        household_id=str(d["household_id"]),
        area_code=d["area_code"],
        status="exited",
        member_count=int(d.get("member_count") or 0),
        exited_on=date.fromisoformat(d["exited_on"]),
    )


async def on_household_back_in_roll(session: AsyncSession, event: CloudEvent) -> None:
    """An exit request returned, or a relapse: the household is poor and registered again."""
    await ProjectionRepository(session).set_household_status(str(event.data["household_id"]), "registered")


async def on_household_removed(session: AsyncSession, event: CloudEvent) -> None:
    await ProjectionRepository(session).set_household_status(str(event.data["household_id"]), "removed")


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


async def on_pairing_closed(session: AsyncSession, event: CloudEvent) -> None:
    # The closing event names where the pairing served (a household that moved may have taken
    # the open copy along before this event arrived).
    await ProjectionRepository(session).close_pairing(
        str(event.data["pairing_id"]), area_code=event.data.get("area_code")
    )


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
