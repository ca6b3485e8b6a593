"""Identification (精准识别): each step is checked by the state machine, audited and published."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.errors import (
    InvalidSignature,
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    SignerNotTheHousehold,
)
from services.registry.households import events as household_events
from services.registry.households import service as households
from services.registry.households.repository import HouseholdRepository
from services.registry.identification import events
from services.registry.identification.repository import ObjectionRepository
from services.registry.identification.rules import (
    OBJECTION_STATUS_LABELS,
    Action,
    EntryFloor,
    ReviewResult,
    check_confirmation,
    check_notice_start,
    entry_floor,
    late_tolerance,
    next_status,
    notice_confirmable_on,
)
from services.registry.identification.schemas import (
    HOUSEHOLD_ROLE,
    ConfirmationIn,
    NoticeIn,
    ObjectionIn,
    ObjectionResolution,
    ReviewIn,
)
from services.registry.models import Household, LateEntry, Objection
from services.registry.policies import service as policy_service
from services.registry.rollups.rules import Snapshot, flow_deltas
from services.registry.vocabulary import HouseholdStatus
from shared import audit
from shared.auth import Principal
from shared.backdating import LATE_ENTRY_ROLES, check_entered_date
from shared.clock import clock
from shared.pii import mask_name

Actor = Principal | str


async def ready_for(
    session: AsyncSession, actor: Actor, household_id: uuid.UUID, action: Action
) -> Household:
    """The household, locked, if it may take ``action`` now (``TransitionRefused`` if not)."""
    h = await households.load(session, actor, household_id, lock=True)
    next_status(HouseholdStatus(h.status), action)
    return h


async def step(
    session: AsyncSession,
    actor: Actor,
    h: Household,
    action: Action,
    *,
    detail: dict[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    audited_as: str | None = None,
) -> Snapshot:
    """Move the household by ``action`` (setting the fields in ``changes`` too) and audit it as
    ``household.<audited_as or action>``. Returns the snapshot before the step: the caller keeps the
    counters with it as its last statement (households.track: the hot rows are then held only
    until the commit)."""
    before, before_state = households.snapshot(h), households.state(h)
    h.status = next_status(HouseholdStatus(h.status), action).value
    for name, value in (changes or {}).items():
        setattr(h, name, value)
    await households.audited(
        session,
        actor,
        h,
        audited_as or action.value,
        before=before_state,
        after=households.state(h) | (detail or {}),
    )
    return before


# The dates a clerk types in the identification steps, by the name a late entry keeps them under:
# the request's field (what a refusal names: the field the clerk sent) and the form's words.
ENTERED_DATES = {
    "review_held_on": {"field": "held_on", "label_zh": "民主评议日期"},
    "notice_starts_on": {"field": "starts_on", "label_zh": "公示开始日期"},
    "objection_lodged_on": {"field": "lodged_on", "label_zh": "异议提出日期"},
}


async def _entered(
    session: AsyncSession,
    actor: Actor,
    h: Household,
    *,
    field: str,
    on: date,
    today: date,
    reason: str | None,
    earlier_step: EntryFloor | None = None,
) -> dict[str, Any]:
    """Check a date the clerk typed (shared.backdating): not in the future, not before
    ``earlier_step`` or else the household's entry (with a reason: paper history, rules.entry_floor);
    further back than the policy's tolerance only with a reason and a higher role, kept as a late
    entry (补录) for the public board and the timeline. Returns what the audit record adds."""
    policy = await policy_service.resolve(session=session, area_code=h.area_code, year=h.year)
    floor = entry_floor(created_on=h.created_on, backdate_reason=reason, earlier_step=earlier_step)
    tolerance = late_tolerance(
        on=on, created_on=h.created_on, today=today, policy_days=policy.backdate_tolerance_days
    )
    late = check_entered_date(
        **ENTERED_DATES[field],
        on=on,
        today=today,
        not_before=floor.on,
        not_before_what=floor.what,
        not_before_what_zh=floor.what_zh,
        tolerance_days=tolerance,
        reason=reason,
        roles=actor.roles if isinstance(actor, Principal) else LATE_ENTRY_ROLES,  # system loaders
    )
    if late is None:
        return {}
    session.add(
        LateEntry(
            household_id=h.id,
            recorded_by=actor.actor if isinstance(actor, Principal) else actor,
            **asdict(late) | {"field": field},
        )
    )
    return {
        "late_entry": {
            "field": field,
            "entered_date": late.entered_date.isoformat(),
            "days_late": late.days_late,
            "tolerance_days": late.tolerance_days,
            "reason": late.reason,
        }
    }


async def _published(session: AsyncSession, h: Household, change: str, **extra: object) -> None:
    members = await HouseholdRepository(session).members(h.id)
    await household_events.updated(session, h, members, change=change, **extra)


async def _step_published(
    session: AsyncSession,
    actor: Actor,
    h: Household,
    action: Action,
    change: str,
    *,
    detail: dict[str, Any] | None = None,
) -> Household:
    """A step (``_step``) published as the household updated by ``change``, counted last."""
    before = await step(session, actor, h, action, detail=detail)
    await _published(session, h, change)
    await households.track(session, before, h)
    return h


async def submit_review(*, session: AsyncSession, actor: Actor, household_id: uuid.UUID) -> Household:
    h = await households.load(session, actor, household_id, lock=True)
    return await _step_published(session, actor, h, Action.SUBMIT_REVIEW, "review_submitted")


async def record_review(
    *, session: AsyncSession, actor: Actor, household_id: uuid.UUID, data: ReviewIn, today: date
) -> Household:
    h = await ready_for(session, actor, household_id, Action.RECORD_REVIEW)
    on, reason = data.held_on, data.backdate_reason
    late = await _entered(session, actor, h, field="review_held_on", on=on, today=today, reason=reason)
    h.review_result, h.review_held_on = data.result.value, data.held_on  # the card shows the last review
    if data.result is ReviewResult.NOT_APPROVED:
        return await _reject(session, actor, h, f"村民主评议未通过（{data.held_on}）")
    held = {"review_held_on": data.held_on.isoformat()} | late
    return await _step_published(session, actor, h, Action.RECORD_REVIEW, "review_recorded", detail=held)


async def start_notice(
    *, session: AsyncSession, actor: Actor, household_id: uuid.UUID, data: NoticeIn, today: date
) -> Household:
    h = await ready_for(session, actor, household_id, Action.START_NOTICE)
    check_notice_start(
        review_result=ReviewResult(h.review_result) if h.review_result else None,
        review_held_on=h.review_held_on,
        starts_on=data.starts_on,
    )
    on, reason = data.starts_on, data.backdate_reason
    late = await _entered(session, actor, h, field="notice_starts_on", on=on, today=today, reason=reason)
    h.notice_starts_on = data.starts_on
    starts = {"notice_starts_on": data.starts_on.isoformat()} | late
    return await _step_published(session, actor, h, Action.START_NOTICE, "notice_started", detail=starts)


async def confirmable_on(session: AsyncSession, h: Household) -> date | None:
    if h.notice_starts_on is None:
        return None
    policy = await policy_service.resolve(session=session, area_code=h.area_code, year=h.year)
    return notice_confirmable_on(h.notice_starts_on, policy.notice_days_required)


async def lodge_objection(
    *, session: AsyncSession, actor: Actor, household_id: uuid.UUID, data: ObjectionIn, today: date
) -> Objection:
    h = await ready_for(session, actor, household_id, Action.LODGE_OBJECTION)
    assert h.notice_starts_on is not None  # in_notice always has a start date
    late = await _entered(
        session,
        actor,
        h,
        field="objection_lodged_on",
        on=data.lodged_on,
        today=today,
        earlier_step=EntryFloor(h.notice_starts_on, "the start of the public notice", "公示开始的日期"),
        reason=data.backdate_reason,
    )
    objection = Objection(
        id=uuid.uuid4(), household_id=h.id, lodged_on=data.lodged_on, content=data.content, status="open"
    )
    session.add(objection)
    await households.changed(
        session,
        actor,
        h,
        "objection_lodged",
        after={"objection_id": str(objection.id), "lodged_on": data.lodged_on.isoformat()} | late,
        change="objection_lodged",
    )
    return objection


async def resolve_objection(
    *,
    session: AsyncSession,
    actor: Actor,
    household_id: uuid.UUID,
    objection_id: uuid.UUID,
    data: ObjectionResolution,
    today: date,
) -> Objection:
    """Dismissed: the notice goes on. Upheld: the household is not registered (rejected)."""
    h = await ready_for(session, actor, household_id, Action.RESOLVE_OBJECTION)
    objection = await ObjectionRepository(session).of_household(h.id, objection_id)
    if objection is None:
        raise ObjectionNotFound(
            f"objection {objection_id} is not lodged against this household",
            detail_zh=f"该户没有编号为 {objection_id} 的异议",
        )
    if objection.status != "open":
        found = OBJECTION_STATUS_LABELS.get(objection.status, objection.status)
        raise ObjectionAlreadyResolved(
            f"objection {objection_id} is already {objection.status}",
            detail_zh=f"该异议已于{objection.resolved_on}处理，核实结果为“{found}”，不能再次处理",
            current_status=objection.status,
        )
    objection.status, objection.resolution, objection.resolved_on = data.outcome, data.resolution, today
    resolved = {"objection_id": str(objection.id), "outcome": data.outcome}
    if data.outcome == "upheld":  # audited, then the rejection (its own step) follows
        await session.flush()
        await audit.record(
            session, actor, "household.objection_resolved", ("household", h.id), after=resolved
        )
        await _reject(session, actor, h, f"objection upheld: {data.resolution}")
    else:
        await households.changed(
            session, actor, h, "objection_resolved", after=resolved, change="objection_dismissed"
        )
    return objection


async def objections(*, session: AsyncSession, actor: Actor, household_id: uuid.UUID) -> list[Objection]:
    h = await households.load(session, actor, household_id)
    return await ObjectionRepository(session).for_household(h.id)


# a member who signs for the household is of full age (Civil Code art. 17, outside the seeds)
ADULT_YEARS = 18


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


async def _signature(
    session: AsyncSession, actor: Actor, h: Household, data: ConfirmationIn, today: date
) -> dict[str, str]:
    """逐户签字确认: the household signs with its own account (role ``household``, subject = its id),
    like its exit sign-off; a clerk (registrar, admin, anyone else) cannot sign for it."""
    if not isinstance(actor, Principal) or HOUSEHOLD_ROLE not in actor.roles or actor.sub != str(h.id):
        raise SignerNotTheHousehold(
            "the household signs its confirmation itself, with its own account; a clerk cannot sign for it",
            detail_zh="逐户签字确认须由本户使用本户账号签字，工作人员不能代签",
            required_role=HOUSEHOLD_ROLE,
        )
    member = await HouseholdRepository(session).member(h.id, data.member_id)
    if member is None or not member.active:
        raise InvalidSignature(
            f"member {data.member_id} is not a member of this household",
            detail_zh="签字的人不是本户的现有成员，请选本户成员签字",
            member_id=str(data.member_id),
        )
    if data.capacity == "head" and member.relation != "head":
        raise InvalidSignature(
            "only the head of the household signs as its head",
            detail_zh="只有户主才能以户主身份签字；其他成员请以“成员”身份签字",
            capacity=data.capacity,
        )
    if _age_on(member.birth_date, today) < ADULT_YEARS:
        raise InvalidSignature(
            f"a member who signs for the household must be at least {ADULT_YEARS}",
            detail_zh=f"代表本户签字的成员须年满{ADULT_YEARS}周岁，请由成年成员签字",
            member_id=str(member.id),
        )
    return {
        "member_id": str(member.id),
        "signer_name_masked": mask_name(member.name),
        "capacity": data.capacity,
        "signed_at": clock.local_now().isoformat(),  # China time, with its offset
        "signed_with": actor.sub,
    }


async def confirm(
    *,
    session: AsyncSession,
    actor: Actor,
    household_id: uuid.UUID,
    today: date,
    signature: ConfirmationIn,
) -> Household:
    """The household's signed confirmation, once the notice has run and no objection is open."""
    h = await ready_for(session, actor, household_id, Action.CONFIRM)
    signed = await _signature(session, actor, h, signature, today)
    policy = await policy_service.resolve(session=session, area_code=h.area_code, year=h.year)
    assert h.notice_starts_on is not None  # in_notice always has a start date
    check_confirmation(
        notice_starts_on=h.notice_starts_on,
        min_days=policy.notice_days_required,
        open_objections=await ObjectionRepository(session).open_count(h.id),
        on=today,
    )
    h.confirmed_on = today
    h.confirmation_signature = signed
    return await _step_published(session, actor, h, Action.CONFIRM, "confirmed", detail={"signature": signed})


async def register(*, session: AsyncSession, actor: Actor, household_id: uuid.UUID, today: date) -> Household:
    h = await ready_for(session, actor, household_id, Action.REGISTER)
    repo = HouseholdRepository(session)
    h.household_number = await repo.next_number(h.area_code)
    h.registered_on = today
    before = await step(session, actor, h, Action.REGISTER, detail={"household_number": h.household_number})
    await household_events.registered(session, h, await repo.members(h.id), origin="identification")
    entries = flow_deltas(h.area_code, kind="entries", year=h.year, persons=h.member_count)
    await households.track(session, before, h, flows=entries)  # status and entries in one statement
    return h


async def _close(
    session: AsyncSession,
    actor: Actor,
    h: Household,
    action: Action,
    reason: str,
    announce: Callable[..., Awaitable[None]],
) -> Household:
    """Reject or remove: the household closes with its reason (``announce``d) and its members'
    identities are free for another household."""
    h.closed_reason = reason
    before = await step(session, actor, h, action, detail={"reason": reason})
    await HouseholdRepository(session).release_identities(h.id)
    await announce(session, h, reason=reason)
    await households.track(session, before, h)
    return h


async def _reject(session: AsyncSession, actor: Actor, h: Household, reason: str) -> Household:
    return await _close(session, actor, h, Action.REJECT, reason, events.rejected)


async def reject(*, session: AsyncSession, actor: Actor, household_id: uuid.UUID, reason: str) -> Household:
    h = await households.load(session, actor, household_id, lock=True)
    return await _reject(session, actor, h, reason)


async def remove(*, session: AsyncSession, actor: Actor, household_id: uuid.UUID, reason: str) -> Household:
    h = await households.load(session, actor, household_id, lock=True)
    return await _close(session, actor, h, Action.REMOVE, reason, household_events.removed)
