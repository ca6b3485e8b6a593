"""A household's timeline and its next allowed actions; the consumer of other services' events
that feeds the timeline's projection."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households import service as households
from services.registry.identification.rules import Action
from services.registry.identification.schemas import HOUSEHOLD_ROLE
from services.registry.timeline import rules
from services.registry.timeline.repository import TimelineRepository
from services.registry.timeline.schemas import (
    ActionsOut,
    NextActionOut,
    TimelineOut,
    TimelineStepOut,
)
from services.registry.vocabulary import HouseholdStatus
from shared.auth import Principal
from shared.bodyguard import guarded_routes
from shared.clock import clock
from shared.events import CloudEvent


async def on_event(session: AsyncSession, event: CloudEvent) -> None:
    """Keep what another service's event says about one household (idempotent by event id)."""
    learned = rules.learn(event.type, dict(event.data or {}))
    if learned is None:
        return
    repo = TimelineRepository(session)
    await repo.lock_refs([r for r in (learned.ref, learned.via_ref) if r])
    household_id = learned.household_id
    area_code = _area(event)
    detail = dict(learned.detail)
    if household_id is None and learned.via_ref:
        household_id, known_area = await repo.household_of(learned.via_ref)
        area_code = area_code or known_area
        if household_id is None:
            detail["via_ref"] = learned.via_ref  # traced when the entry it names arrives
    await repo.add_entry(
        event_id=event.id,
        household_id=household_id,
        area_code=area_code,
        occurred_at=event.time,
        source=event.type.split(".", 1)[0],
        kind=event.type,
        actor=learned.actor,
        ref=learned.ref,
        detail=detail,
    )
    if household_id is not None and learned.ref:
        await repo.trace(learned.ref, household_id, area_code)


async def on_events(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    """``on_event`` for a run of events: the refs locked in one statement, the entries that name
    their household (or nothing to trace it by) inserted in one INSERT and traced in one UPDATE;
    an entry found by an earlier entry's ref goes one by one after them, in order."""
    learned = [(e, rules.learn(e.type, dict(e.data or {}))) for e in events]
    known = [(e, x) for e, x in learned if x is not None]
    repo = TimelineRepository(session)
    await repo.lock_refs([r for _, x in known for r in (x.ref, x.via_ref) if r])
    direct = [(e, x) for e, x in known if x.household_id is not None or not x.via_ref]
    await repo.add_entries(
        [
            {
                "event_id": e.id,
                "household_id": x.household_id,
                "area_code": _area(e),
                "occurred_at": e.time,
                "source": e.type.split(".", 1)[0],
                "kind": e.type,
                "actor": x.actor,
                "ref": x.ref,
                "detail": dict(x.detail),
            }
            for e, x in direct
        ]
    )
    for event, x in known:
        if x.household_id is None and x.via_ref:
            await on_event(session, event)
    await repo.trace_many([(x.ref, x.household_id, _area(e)) for e, x in direct if x.household_id and x.ref])


def _area(event: CloudEvent) -> str | None:
    return event.data.get("area_code") if isinstance(event.data.get("area_code"), str) else None


async def timeline(session: AsyncSession, actor: Principal, household_id: uuid.UUID) -> TimelineOut:
    h = await households.load(session, actor, household_id)
    repo = TimelineRepository(session)
    steps = [
        TimelineStepOut(
            at=row.at,
            on=clock.date_of(row.at),
            source="registry",
            source_zh=rules.SOURCE_LABELS["registry"],
            step=row.action,
            step_zh=rules.label(row.action),
            who=row.actor,
            why=(why := rules.why(row.after)),
            why_zh=rules.why_zh(why),
            detail=_registry_detail(row.after),
        )
        for row in await repo.audit_steps(str(h.id))
    ]
    for e in await repo.learned(str(h.id)):
        steps.append(
            TimelineStepOut(
                at=e.occurred_at,
                on=clock.date_of(e.occurred_at),
                source=e.source,
                source_zh=rules.SOURCE_LABELS.get(e.source, e.source),
                step=e.kind,
                step_zh=rules.label(e.kind),
                who=e.actor,
                why=(why := e.detail.get("reason") if isinstance(e.detail.get("reason"), str) else None),
                why_zh=rules.why_zh(why),
                detail={k: v for k, v in e.detail.items() if k != "via_ref"},
            )
        )
    steps.sort(key=lambda s: s.at)
    status = HouseholdStatus(h.status)
    words = status.label
    return TimelineOut(
        household_id=str(h.id), status=status.value, status_label=words, status_zh=words, steps=steps
    )


def _registry_detail(after: dict[str, Any] | None) -> dict[str, object]:
    """The parts of the audit record a clerk reads on the timeline: the status it led to and the
    dates and figures it recorded (the audit log itself keeps the rest)."""
    keep = (
        "status",
        "year",
        "review_result",
        "review_held_on",
        "notice_starts_on",
        "confirmed_on",
        "registered_on",
        "exited_on",
        "per_capita_income_fen",
        "from_area_code",
        "area_code",
        "member_count",
        "plan_year",
        "late_entry",  # a date entered late (补录): the date typed, how late, and the reason given
    )
    return {k: after[k] for k in keep if after and after.get(k) is not None}


_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


@cache
def _roles_of_routes() -> dict[tuple[str, str], tuple[str, ...]]:
    """(method, path) → the roles its ``require_roles`` dependency lets through, read from the
    service's routes themselves (as the request gate reads them), so the answer follows the code."""
    from services.registry.app import ROUTERS  # the app assembles this package's router too

    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for route in guarded_routes(ROUTERS, ""):
        roles = tuple(sorted(set().union(*route.role_sets))) if route.role_sets else ()
        # the app types id segments (``{household_id:uuid}``, shared/app.py): key by the plain path
        path = _CONVERTOR.sub(r"{\1}", route.path)
        for method in route.methods:
            found[(method, path)] = roles
    confirm = rules.ACTION_ROUTES[Action.CONFIRM]
    if confirm is not None and not found.get(confirm):
        found[confirm] = (HOUSEHOLD_ROLE,)  # the household signs itself (identification._signature)
    return found


async def actions(session: AsyncSession, actor: Principal, household_id: uuid.UUID) -> ActionsOut:
    h = await households.load(session, actor, household_id)
    status = HouseholdStatus(h.status)
    allowed = rules.next_actions(status, str(h.id), _roles_of_routes())
    mine = set(actor.roles)
    return ActionsOut(
        household_id=str(h.id),
        status=status.value,
        status_label=status.label,
        status_zh=status.label,
        actions=[
            NextActionOut(
                **asdict(a) | {"roles": list(a.roles)},
                yours=a.method is not None and bool(mine & (set(a.roles) | {"admin"})),
            )
            for a in allowed
        ],
    )


HANDLERS = {event_type: on_event for event_type in rules.CONSUMED}  # one by one (see consumers.py)
