"""Use cases of the registry projections and pairing needs. Flush, never commit."""

from __future__ import annotations

import functools
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import HouseholdNotFound
from services.pairing.helpers.repository import HelperRepository
from services.pairing.helpers.rules import IN_SYSTEM
from services.pairing.models import HouseholdRef, Pairing, PairingNeed
from services.pairing.needs import events as need_events
from services.pairing.needs import lifecycle, rules
from services.pairing.needs.repository import HouseholdRepository, NeedRepository
from services.pairing.pairings import rules as pairing_rules
from services.pairing.pairings import service as pairing_service
from services.pairing.pairings.repository import PairingRepository
from services.pairing.policies import service as policy_service
from services.pairing.vocabulary import PairingKind
from services.registry import events as registry
from shared import audit
from shared.auth import Principal
from shared.clock import clock
from shared.repository import Slice

REGISTRY = "registry-events"  # the audit actor of projection changes

# Every registry.household.* contract pairing keeps its copy of the household by
HouseholdEvent = (
    registry.HouseholdCandidateCreated
    | registry.HouseholdRegistered
    | registry.HouseholdUpdated
    | registry.HouseholdExitRequested
    | registry.HouseholdExited
    | registry.HouseholdExitReturned
    | registry.HouseholdRelapsed
    | registry.HouseholdRemoved
    | registry.HouseholdRejected
)


@dataclass(frozen=True)
class PairedHousehold:
    """A household of the projection with its active pairings."""

    household: HouseholdRef
    pairings: list[Pairing]


@dataclass(frozen=True)
class Suggestion:
    """A cadre to propose for a household: their load against the cap, and how near they are."""

    helper_id: uuid.UUID
    name: str
    area_code: str
    households: int
    cap: int
    shared_levels: int


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _field(data: HouseholdEvent, name: str) -> Any:
    """A field the event's contract declares (parsed to its type), or None: each household event
    carries its own; an extra field a producer added is not read."""
    return getattr(data, name) if name in _declared(type(data)) else None


@functools.cache
def _declared(contract: type[HouseholdEvent]) -> frozenset[str]:
    return frozenset(contract.model_fields)


async def apply_area(session: AsyncSession, data: registry.AreaUpserted) -> None:
    values = {
        "code": data.code,
        "name": data.name or data.code,
        "level": data.level,
        "parent_code": data.parent_code,
        "poor_village": data.poor_village,
        "old_area_village": data.old_area_village,
        "key_village": data.key_village,
        "pairing_dispatch_level": data.pairing_dispatch_level,
    }
    await NeedRepository(session).upsert_area(values)
    await audit.record(session, REGISTRY, "area.projected", ("area", data.code), after=values)


# What the audit trail keeps of a household's copy here
_AUDITED = ("status", "area_code", "member_count", "policies_kept_until")


def _household_snapshot(h: HouseholdRef) -> dict[str, Any]:
    return {name: getattr(h, name) for name in _AUDITED}


async def apply_household_event(session: AsyncSession, data: HouseholdEvent, *, today: date) -> None:
    """What a registry.household.* event changes here (see needs.rules.decide_on_household_event).

    Each household contract carries its own fields; the ones it lacks leave the copy as it was."""
    kind = data.type.split(".")[2]
    households, pairings = HouseholdRepository(session), PairingRepository(session)
    household_id = uuid.UUID(data.household_id)
    household = await households.get(household_id, lock=True)
    before = _household_snapshot(household) if household else None
    if household is None:
        household = await households.add(
            HouseholdRef(id=household_id, area_code=data.area_code, status="candidate", member_count=0)
        )
    moved_to = data.area_code
    lost_cadre = False
    if moved_to and moved_to != household.area_code:
        lost_cadre = await _follow_move(session, household, moved_to, today=today)
    active = await pairings.active_for_target(str(household_id))
    has_cadre = any(p.kind == PairingKind.CADRE_HOUSEHOLD for p in active)
    decision = rules.decide_on_household_event(
        kind, data_status=_field(data, "status"), has_active_cadre=has_cadre
    )
    household.status = decision.status
    household.member_count = int(_field(data, "member_count") or household.member_count)
    household.head_name_masked = _field(data, "head_name_masked") or household.head_name_masked
    household.household_number = _field(data, "household_number") or household.household_number
    household.registered_on = _field(data, "registered_on") or household.registered_on
    if isinstance(data, registry.HouseholdExited):
        household.policies_kept_until = data.policies_kept_until
    elif isinstance(data, registry.HouseholdRelapsed):  # poor again: no exit, no keep period (as registry)
        household.policies_kept_until = None
    household.updated_at = clock.now()
    await session.flush()
    await audit.record(
        session,
        REGISTRY,
        f"household.{kind}",
        ("household_ref", household_id),
        before=before,
        after=_household_snapshot(household),
    )
    if decision.open_need or (
        lost_cadre
        and not has_cadre
        and pairing_rules.household_is_pairable(pairing_service.household_target(household), today=today)
        is None
    ):
        await lifecycle.open_need(session, REGISTRY, household)
    if decision.close_need:
        await lifecycle.close_need(session, REGISTRY, household_id, reason=kind)
    if decision.close_pairings_reason:
        for pairing in active:
            await pairing_service.close_pairing(
                session, REGISTRY, pairing, on=today, reason=decision.close_pairings_reason
            )


# Events that can find a household new to the projection: applied set-based when it is
_FIRST_EVENTS = ("registered", "candidate_created")


async def apply_household_events(session: AsyncSession, items: Sequence[tuple[HouseholdEvent, date]]) -> None:
    """Many registry.household.* events, as ``apply_household_event`` applies each, in fewer
    statements: a household the projection does not hold yet, named once in the run by a first
    event (registered, candidate created: what an import sends), with no pairing and no open need,
    is inserted with the others in one INSERT, its need opened, audited and announced in one
    statement each. Every other event goes through ``apply_household_event``, in order (the events
    of one household keep their order; different households do not depend on each other)."""
    named = Counter(d.household_id for d, _ in items)
    first = [
        (d, day) for d, day in items if named[d.household_id] == 1 and d.type.split(".")[2] in _FIRST_EVENTS
    ]
    ids = [uuid.UUID(d.household_id) for d, _ in first]
    done: set[uuid.UUID] = set()
    if ids:
        busy = await HouseholdRepository(session).held_needed_or_paired(ids)
        done = await _insert_new(
            session, [(d, day) for d, day in first if uuid.UUID(d.household_id) not in busy]
        )
    for data, day in items:
        if uuid.UUID(data.household_id) not in done:
            await apply_household_event(session, data, today=day)


async def _insert_new(session: AsyncSession, items: list[tuple[HouseholdEvent, date]]) -> set[uuid.UUID]:
    """The set-based path of ``apply_household_events``; the households it inserted."""
    now = clock.now()
    rows, kinds, opens = {}, {}, set()
    for data, _ in items:
        kind = data.type.split(".")[2]
        decision = rules.decide_on_household_event(
            kind, data_status=_field(data, "status"), has_active_cadre=False
        )
        household_id = uuid.UUID(data.household_id)
        rows[household_id] = {
            "id": household_id,
            "area_code": data.area_code,
            "status": decision.status,
            "member_count": int(_field(data, "member_count") or 0),
            "head_name_masked": _field(data, "head_name_masked"),
            "household_number": _field(data, "household_number"),
            "registered_on": _field(data, "registered_on"),
            "updated_at": now,
        }
        kinds[household_id] = kind
        if decision.open_need:
            opens.add(household_id)
    inserted = await HouseholdRepository(session).insert_new(list(rows.values()))
    for kind in sorted({kinds[i] for i in inserted}):
        await audit.record_many(
            session,
            actor=REGISTRY,
            action=f"household.{kind}",
            entity_type="household_ref",
            entries=[
                (i, None, {name: rows[i].get(name) for name in _AUDITED})
                for i in rows
                if i in inserted and kinds[i] == kind
            ],
            serialized_by="the household_ref row this transaction has just inserted",
        )
    needs = [
        {"id": uuid.uuid4(), "household_id": i, "area_code": rows[i]["area_code"], "status": "open"}
        for i in rows
        if i in inserted and i in opens
    ]
    await NeedRepository(session).open_many([n | {"opened_at": now} for n in needs])
    await audit.record_many(
        session,
        actor=REGISTRY,
        action="need.opened",
        entity_type="pairing_need",
        entries=[
            (n["id"], None, {"household_id": str(n["household_id"]), "area_code": n["area_code"]})
            for n in needs
        ],
        serialized_by="a need id made here (no one else can name it yet)",
        new_entities=True,
    )
    await need_events.needs_opened(session, [(n["id"], n["household_id"], n["area_code"]) for n in needs])
    return inserted


async def _follow_move(session: AsyncSession, household: HouseholdRef, moved_to: str, *, today: date) -> bool:
    """A household that moved (迁移) is served and scoped where it now lives: its pairings and open
    need take the new area. A household pairing whose helper's area does not hold the new village
    (a village cadre, a township's volunteer team, a county's doctor when it leaves the county) ends
    as ``household_moved``; one whose helper still holds it carries on. True if a cadre pairing ended."""
    pairings, helpers = PairingRepository(session), HelperRepository(session)
    lost_cadre = False
    for pairing in await pairings.active_for_target(str(household.id)):
        helper = await helpers.get(pairing.helper_id)
        if helper is not None and rules.helper_covers(helper.area_code, helper.level, moved_to):
            continue
        # Ended where it served (the old village); the pairings that carry on move below.
        await pairing_service.close_pairing(session, REGISTRY, pairing, on=today, reason="household_moved")
        lost_cadre = lost_cadre or pairing.kind == PairingKind.CADRE_HOUSEHOLD
    await pairings.move_target(str(household.id), area_code=moved_to)
    await NeedRepository(session).move_need(household.id, area_code=moved_to)
    household.area_code = moved_to
    return lost_cadre


async def close_expired_exits(
    session: AsyncSession, *, today: date, after: uuid.UUID | None = None, limit: int = 1000
) -> tuple[int, uuid.UUID | None]:
    """脱贫不脱政策 ends: pairings of exited households close the day after the policy period.

    One bounded batch: up to ``limit`` exited households (by id, after ``after``) whose period
    may be over; (pairings closed, the last household looked at, or None when there are no more)."""
    exited = await HouseholdRepository(session).exited_by_id(kept_before=today, after=after, limit=limit)
    due = rules.expired_exits(
        (rules.ExitedHousehold(str(h.id), h.policies_kept_until) for h in exited), today=today
    )
    closed = 0
    for household_id in due:
        for pairing in await PairingRepository(session).active_for_target(household_id):
            await pairing_service.close_pairing(
                session, "policy-period", pairing, on=today, reason="policy_period_over"
            )
            closed += 1
        await lifecycle.close_need(
            session, "policy-period", uuid.UUID(household_id), reason="policy_period_over"
        )
    return closed, (exited[-1].id if len(exited) == limit else None)


async def cadre_household_ids(session: AsyncSession, actor: Principal) -> list[uuid.UUID] | None:
    """The households a cadre-only caller may see (their own), or None for office roles."""
    if actor.has_role("registrar", "approver", "inspector", "auditor", "evaluator", "admin"):
        return None
    helper = await HelperRepository(session).by_user_sub(actor.sub)
    if helper is None:
        return []
    return [
        uuid.UUID(p.target_id)
        for p in await PairingRepository(session).active_for_helper(helper.id)
        if p.target_type == "household"
    ]


async def visible_household(session: AsyncSession, actor: Principal, household_id: uuid.UUID) -> HouseholdRef:
    household = await HouseholdRepository(session).get(household_id)
    own = await cadre_household_ids(session, actor)
    if (
        household is None
        or not actor.covers(household.area_code)
        or (own is not None and household_id not in own)
    ):
        raise HouseholdNotFound.in_your_area(household_id)
    return household


async def get_household(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID
) -> PairedHousehold:
    household = await visible_household(session, actor, household_id)
    return PairedHousehold(household, await PairingRepository(session).active_for_target(str(household_id)))


async def list_households(
    *, session: AsyncSession, actor: Principal, status: str | None, cursor: str | None, limit: int
) -> Slice[PairedHousehold]:
    """One page of households, each with its active pairings (one query for the page)."""
    own = await cadre_household_ids(session, actor)
    found = await HouseholdRepository(session).page(
        prefix=actor.area_prefix, ids=own, statuses=[status] if status else None, cursor=cursor, limit=limit
    )
    pairings = await PairingRepository(session).active_by_target(str(h.id) for h in found.items)
    return Slice([PairedHousehold(h, pairings.get(str(h.id), [])) for h in found.items], found.next_cursor)


async def list_needs(
    *, session: AsyncSession, actor: Principal, status: str | None, cursor: str | None, limit: int
) -> Slice[PairingNeed]:
    """The pairing needs in the caller's area."""
    return await NeedRepository(session).page(
        prefix=actor.area_prefix, status=status, cursor=cursor, limit=limit
    )


async def suggest(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, limit: int, today: date
) -> list[Suggestion]:
    household = await visible_household(session, actor, household_id)
    cap = (await policy_service.resolver(session, on=today))(household.area_code).cadre_household_cap
    helpers = await HelperRepository(session).active_of_kinds(
        prefix=actor.area_prefix, kinds=[k.value for k in IN_SYSTEM]
    )
    loads = await PairingRepository(session).cadre_loads(h.id for h in helpers)
    candidates = [rules.CadreLoad(str(h.id), h.area_code, loads.get(h.id, 0)) for h in helpers]
    names = {str(h.id): h.name for h in helpers}
    ranked = rules.suggest_cadres(household.area_code, candidates, cap=cap, limit=limit)
    return [
        Suggestion(
            helper_id=uuid.UUID(c.helper_id),
            name=names[c.helper_id],
            area_code=c.area_code,
            households=c.households,
            cap=cap,
            shared_levels=rules.proximity(household.area_code, c.area_code),
        )
        for c in ranked
    ]
