"""The beneficiary projection: registry events in, plans marked for recomputation out.

Each handler runs in the consumer's transaction (the inbox row rides along), so the projection
and the marks on the plans it affects commit together or not at all; the plan refresh job (or a
payment) recomputes the marked plans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.rules import STATUS_AFTER_EVENT, counts_in_population
from services.funds.models import Beneficiary
from services.funds.schemes import service as scheme_service
from services.registry import events as registry
from shared import cadres
from shared.auth import Principal
from shared.events import CloudEvent
from shared.events.contracts import EventContract, parse
from shared.repository import Slice

__all__ = ["on_area_upserted", "on_household_event", "on_household_events", "page"]


async def page(
    session: AsyncSession, *, actor: Principal, kind: str, area_prefix: str, cursor: str | None, limit: int
) -> Slice[Beneficiary]:
    """A cadre sees their own households (or villages) only."""
    own = await (cadres.cadre_households if kind == "household" else cadres.cadre_villages)(session, actor)
    return await BeneficiaryRepository(session).page(
        kind=kind, area_prefix=area_prefix, cursor=cursor, limit=limit, refs=own
    )


HOUSEHOLD_CONTRACTS = (
    registry.HouseholdRegistered,
    registry.HouseholdUpdated,
    registry.HouseholdExited,
    registry.HouseholdRelapsed,
    registry.HouseholdRemoved,
)
HouseholdEvent = (
    registry.HouseholdRegistered
    | registry.HouseholdUpdated
    | registry.HouseholdExited
    | registry.HouseholdRelapsed
    | registry.HouseholdRemoved
)


async def on_area_upserted(session: AsyncSession, event: CloudEvent) -> None:
    area = registry.AreaUpserted.of(event)
    if area.level != "village":
        return  # only villages are beneficiaries; other levels are just area codes here
    # 帮扶村 on its own: a pairing village whose dispatching level is still unknown is kept
    # as one (events from before the flag: a village with a level is a pairing village)
    pairing_village = (
        area.pairing_village
        if "pairing_village" in area.model_fields_set
        else area.pairing_dispatch_level is not None
    )
    await BeneficiaryRepository(session).upsert(
        "village",
        area.code,
        {
            "area_code": area.code,
            "event_time": event.time,
            "status": "active",
            "category": area.pairing_dispatch_level,
            "pairing_village": bool(pairing_village),
            "name": area.name,
        },
    )
    await scheme_service.population_changed(session, area_code=area.code, kinds=("village_grant",))


async def on_household_event(session: AsyncSession, event: CloudEvent) -> None:
    data = _household(event)
    repo = BeneficiaryRepository(session)
    ref_id = str(data.household_id)
    current = await repo.get(("household", ref_id), lock=True)
    values = _values(data, event, current)
    if values is None:
        return
    before = _plan_facts(current) if current else None  # read before the upsert refreshes `current`
    after = _plan_facts(await repo.upsert("household", ref_id, values))
    for area in _changed_areas(before, after):
        await scheme_service.population_changed(session, area_code=area, kinds=("per_capita",))


async def on_household_events(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    """``on_household_event`` for a run of events, set-based: the households named once are read
    (locked) in one SELECT and written in one upsert per set of columns their events give (one for
    an import), and each area whose plans read them is marked once. A household named more than
    once goes event by event, in order."""
    items = [(event, _household(event)) for event in events]
    named = Counter(str(d.household_id) for _, d in items)
    once = [(e, d) for e, d in items if named[str(d.household_id)] == 1]
    repo = BeneficiaryRepository(session)
    current = await repo.held("household", sorted(str(d.household_id) for _, d in once))
    before = {ref: _plan_facts(row) for ref, row in current.items()}  # before the upserts refresh them
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for event, data in once:
        ref_id = str(data.household_id)
        values = _values(data, event, current.get(ref_id))
        if values is not None:
            by_columns.setdefault(tuple(sorted(values)), []).append({"ref_id": ref_id, **values})
    areas: set[str] = set()
    for rows in by_columns.values():
        for row in await repo.upsert_many("household", rows):
            areas.update(_changed_areas(before.get(row.ref_id), _plan_facts(row)))
    for area in sorted(areas):
        await scheme_service.population_changed(session, area_code=area, kinds=("per_capita",))
    for event, data in items:
        if named[str(data.household_id)] > 1:
            await on_household_event(session, event)


def _household(event: CloudEvent) -> HouseholdEvent:
    data = parse(event)
    if not isinstance(data, HOUSEHOLD_CONTRACTS):
        raise TypeError(f"{event.type} is not a household event")
    return data


def _values(data: HouseholdEvent, event: CloudEvent, current: Beneficiary | None) -> dict[str, Any] | None:
    """What a household event writes to its row; None when the row holds newer news already (a
    redelivery that lost the race)."""
    if current is not None and current.event_time is not None and event.time < current.event_time:
        return None
    given = data.model_fields_set & type(data).model_fields.keys()  # only what it is about
    values: dict[str, Any] = {"area_code": data.area_code, "event_time": event.time}
    status = _field(data, "status") or STATUS_AFTER_EVENT.get(event.type)
    if status is not None:
        values["status"] = status
    elif current is None:
        values["status"] = "unknown"  # an update about a household we never saw registered
    if "member_count" in given:
        values["member_count"] = int(_field(data, "member_count") or 0)
    if "member_ids" in given:
        values["member_ids"] = list(_field(data, "member_ids") or [])
    if "batches" in given:
        values["batches"] = list(_field(data, "batches") or [])
    if "head_name_masked" in given:
        values["name"] = _field(data, "head_name_masked")
    if isinstance(data, registry.HouseholdExited) and data.policies_kept_until:
        values["policies_kept_until"] = data.policies_kept_until
    elif isinstance(data, registry.HouseholdRelapsed):  # poor again: no exit, no keep period (as registry)
        values["policies_kept_until"] = None
    return values


def _changed_areas(before: PlanFacts | None, after: PlanFacts) -> list[str]:
    """The areas whose plans must be recomputed: none if nothing a plan reads has changed
    (identification steps, income records, ...)."""
    if before == after or not any(facts and counts_in_population(facts[1]) for facts in (before, after)):
        return []
    return sorted({facts[0] for facts in (before, after) if facts})


def _field(data: EventContract, name: str) -> Any:
    """A field the event's contract declares (parsed to its type), or None."""
    return getattr(data, name) if name in type(data).model_fields else None


PlanFacts = tuple[str, str, int, tuple[str, ...], str | None]


def _plan_facts(row: Beneficiary | Row[Any]) -> PlanFacts:
    """What per-capita plans read of a household: where, whether it counts, how many, which batches,
    until when an exited one keeps its policies."""
    kept = row.policies_kept_until.isoformat() if row.policies_kept_until else None
    return row.area_code, row.status, row.member_count, tuple(sorted(row.batches or ())), kept
