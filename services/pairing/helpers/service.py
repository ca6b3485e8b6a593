"""Use cases of helpers: register, postings, and leaving with a hand-over. Flush, never commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import (
    HelperAlreadyLeft,
    HelperNotFound,
    HouseholdNotFound,
    InvalidPeriod,
    PairingRuleViolated,
    WorkerNotOnRoll,
    login_taken,
    refused_when_taken,
)
from services.pairing.helpers import events, rules
from services.pairing.helpers.repository import HelperRepository
from services.pairing.helpers.schemas import EmploymentIn, HelperIn, HelperOut, LeaveIn, PostingIn
from services.pairing.models import EnterpriseEmployment, Helper, Pairing, PostingPeriod
from services.pairing.needs import rules as need_rules
from services.pairing.needs.repository import HouseholdRepository
from services.pairing.pairings import service as pairing_service
from services.pairing.pairings.repository import PairingRepository
from services.pairing.pairings.rules import PAIRABLE_STATUSES
from services.pairing.policies import service as policy_service
from services.pairing.policies.presets import EmployerSupportRule, employer_support_rule
from services.pairing.vocabulary import HelperKind, PairingKind
from shared import audit
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.repository import Slice


@dataclass(frozen=True)
class Posting:
    """A posting period, and whether it counts as grassroots service (基层服务) today."""

    period: PostingPeriod
    counts_as_grassroots_service: bool


@dataclass(frozen=True)
class HandOver:
    """One household moved from the leaving cadre to a receiver."""

    household_id: uuid.UUID
    from_pairing_id: uuid.UUID
    to_pairing_id: uuid.UUID
    to_helper_id: uuid.UUID


@dataclass(frozen=True)
class Departure:
    """A helper who left: the households handed over and the other pairings ended."""

    helper: Helper
    handed_over: list[HandOver]
    closed_pairings: list[uuid.UUID]


def _snapshot(h: Helper) -> dict[str, object]:
    return HelperOut.model_validate(h).model_dump(mode="json")


async def register(*, session: AsyncSession, actor: Principal, data: HelperIn) -> Helper:
    if not actor.covers(data.area_code):
        raise HelperNotFound(
            f"Area {data.area_code} is outside your area",
            detail_zh=f"地区 {data.area_code} 不在您的辖区内",
            area_code=data.area_code,
        )
    if data.team_id is not None:
        no_team = HelperNotFound(
            f"Team {data.team_id} does not exist in your area",
            detail_zh=f"您的辖区内没有工作队 {data.team_id}",
            team_id=str(data.team_id),
        )
        team = await HelperRepository(session).get_in_area(data.team_id, actor, no_team)
        team_kind = HelperKind(team.kind)
        refusal = rules.team_refusal(data.kind, team_kind)
        if refusal:
            raise PairingRuleViolated(
                refusal, detail_zh=rules.team_refusal_zh(data.kind, team_kind), rule="team_kind"
            )
    helper = Helper(id=uuid.uuid4(), active=True, **data.model_dump())
    with refused_when_taken(login_taken(data.user_sub)):
        await HelperRepository(session).add(helper)
    await audit.record(session, actor, "helper.registered", ("helper", helper.id), after=_snapshot(helper))
    return helper


async def get(*, session: AsyncSession, actor: Principal, helper_id: uuid.UUID) -> Helper:
    return await HelperRepository(session).get_in_area(helper_id, actor, HelperNotFound)


async def list_helpers(
    *, session: AsyncSession, actor: Principal, kind: str | None, cursor: str | None, limit: int
) -> Slice[Helper]:
    """The helpers in the caller's area."""
    return await HelperRepository(session).page(
        prefix=actor.area_prefix, kind=kind, cursor=cursor, limit=limit
    )


def _posting(p: PostingPeriod, today: date, resolve: policy_service.Resolver) -> Posting:
    period = rules.PostingPeriod(p.area_code, p.started_on, p.ended_on, p.in_poor_area, p.role)
    counts = rules.counts_as_grassroots_service(period, resolve(p.area_code), today=today)
    return Posting(p, counts)


def _check_period(data: PostingIn | EmploymentIn, what: str, what_zh: str) -> None:
    """A posting or an employment ends (its last day) no earlier than it starts."""
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise InvalidPeriod(
            f"{what} cannot end ({data.ended_on}) before it starts ({data.started_on})",
            detail_zh=f"{what_zh}不能在开始（{data.started_on}）之前结束（{data.ended_on}）",
        )


_Dated = TypeVar("_Dated", PostingPeriod, EnterpriseEmployment)


async def _add_dated(
    session: AsyncSession,
    actor: Principal,
    helper: Helper,
    model: type[_Dated],
    data: PostingIn | EmploymentIn,
    action: str,
) -> _Dated:
    """A posting or an employment of the helper, stored as sent; audited as its table's row with the
    helper and what was sent."""
    row = model(id=uuid.uuid4(), helper_id=helper.id, **data.model_dump())
    await HelperRepository(session).add(row)
    after = {"helper_id": str(helper.id), **data.model_dump(mode="json")}
    await audit.record(session, actor, action, (model.__tablename__, row.id), after=after)
    return row


async def add_posting(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, data: PostingIn, today: date
) -> Posting:
    helper = await pairing_service.scoped_helper(session, actor, helper_id)
    _check_period(data, "A posting", "任职")
    if helper.left_on is not None and (data.ended_on is None or data.ended_on > helper.left_on):
        # a past posting may be added; one that runs on after leaving would count years never served
        raise PairingRuleViolated(
            f"Helper {helper_id} left on {helper.left_on}: a posting must end by then",
            detail_zh=f"该帮扶责任人已于 {helper.left_on} 离岗，任职须在离岗日或之前结束（请填写结束日期）",
            rule="posting_after_leave",
        )
    posting = await _add_dated(session, actor, helper, PostingPeriod, data, "helper.posting_added")
    return _posting(posting, today, await policy_service.resolver(session, on=today))


async def postings(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, today: date
) -> list[Posting]:
    await get(session=session, actor=actor, helper_id=helper_id)
    resolve = await policy_service.resolver(session, on=today)
    return [_posting(p, today, resolve) for p in await HelperRepository(session).postings(helper_id)]


async def _receivers(
    session: AsyncSession, actor: Principal, leaving: Helper, ids: list[uuid.UUID]
) -> list[Helper]:
    repo = HelperRepository(session)
    if not ids:
        # Without a named receiver, any active in-system cadre of the leaving cadre's county.
        pool = await repo.active_of_kinds(
            prefix=leaving.area_code[:6], kinds=[k.value for k in rules.IN_SYSTEM], lock=True
        )
        return [h for h in pool if h.id != leaving.id and actor.covers(h.area_code)]
    receivers = []
    for receiver_id in ids:
        receiver = await pairing_service.scoped_helper(session, actor, receiver_id)
        if (
            receiver.id == leaving.id
            or not receiver.active
            or HelperKind(receiver.kind) not in rules.IN_SYSTEM
        ):
            raise PairingRuleViolated(
                f"Helper {receiver_id} cannot take over: it must be another active in-system cadre",
                detail_zh=f"帮扶责任人 {receiver_id} 不能接手：须是另一位在岗的体制内干部",
                rule="hand_over_receiver",
            )
        receivers.append(receiver)
    return receivers


async def _leaving_helper(
    session: AsyncSession, actor: Principal, helper_id: uuid.UUID, left_on: date, today: date
) -> tuple[Helper, list[Pairing]]:
    """The helper who leaves (still in post) and their active pairings, all started by ``left_on``."""
    # Both refusals read the state (today, the helper's pairings), not the body's form: 409.
    if left_on > today:
        raise PairingRuleViolated(
            f"Record a leave when it happens; {left_on} is in the future",
            detail_zh=f"离岗发生后再登记：{left_on} 还未到",
            rule="leave_in_future",
        )
    helper = await pairing_service.scoped_helper(session, actor, helper_id)
    if not helper.active:
        raise HelperAlreadyLeft(
            f"Helper {helper_id} left on {helper.left_on}",
            detail_zh=f"帮扶责任人 {helper_id} 已于 {helper.left_on} 离岗",
            helper_id=str(helper_id),
        )
    active = await PairingRepository(session).active_for_helper(helper.id)
    for p in active:
        if left_on < p.started_on:
            raise PairingRuleViolated(
                f"Pairing {p.id} started on {p.started_on}, after the leaving day {left_on}",
                detail_zh=f"结对 {p.id} 开始于 {p.started_on}，晚于离岗日 {left_on}",
                rule="leave_before_pairing",
            )
    return helper, active


async def _hand_over(
    session: AsyncSession,
    actor: Principal,
    helper: Helper,
    households: list[Pairing],
    receiver_ids: list[uuid.UUID],
    on: date,
) -> list[HandOver]:
    """Move every household of the leaving cadre to a receiver under the cap (need_rules.plan_hand_over
    refuses when they do not all fit): the old pairing ends, a new one starts the same day."""
    if not households:
        return []
    receivers = await _receivers(session, actor, helper, receiver_ids)
    loads = await PairingRepository(session).cadre_loads(r.id for r in receivers)
    plan = need_rules.plan_hand_over(
        [(p.target_id, p.area_code) for p in households],
        [need_rules.CadreLoad(str(r.id), r.area_code, loads.get(r.id, 0)) for r in receivers],
        cap=(await policy_service.resolver(session, on=on))(helper.area_code).cadre_household_cap,
    )
    by_id = {str(r.id): r for r in receivers}
    refs = HouseholdRepository(session)
    handed: list[HandOver] = []
    for old in households:
        await pairing_service.close_pairing(session, actor, old, on=on, reason="handed_over")
        household = await refs.get(uuid.UUID(old.target_id), lock=True)
        assert household is not None  # a pairing's household is always projected
        new = await pairing_service.create_pairing(
            session,
            actor,
            kind=PairingKind.CADRE_HOUSEHOLD,
            helper=by_id[plan[old.target_id]],
            target=pairing_service.household_target(household),
            started_on=on,
        )
        handed.append(HandOver(household.id, old.id, new.id, new.helper_id))
    return handed


async def _retire(
    session: AsyncSession, actor: Principal, helper: Helper, on: date, handed_over: int
) -> None:
    """Mark the helper as left, end their open postings, and record it (audit row and event)."""
    before = _snapshot(helper)
    helper.active, helper.left_on = False, on
    for posting in await HelperRepository(session).postings(helper.id):
        if posting.ended_on is None or posting.ended_on > on:  # a planned end after leaving is moot
            posting.ended_on = on
    await session.flush()
    await audit.record(
        session, actor, "helper.left", ("helper", helper.id), before=before, after=_snapshot(helper)
    )
    await events.helper_left(session, helper, handed_over=handed_over)


async def leave(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, data: LeaveIn, today: date
) -> Departure:
    """A cadre leaves: every household moves to a receiver in this one transaction, or nothing
    changes (a household left without a cadre is refused). Other pairings end."""
    helper, active = await _leaving_helper(session, actor, helper_id, data.left_on, today)
    households = [p for p in active if p.kind == PairingKind.CADRE_HOUSEHOLD]
    handed = await _hand_over(session, actor, helper, households, data.receiver_ids, data.left_on)
    closed = [p for p in active if p.kind != PairingKind.CADRE_HOUSEHOLD]
    for p in closed:
        await pairing_service.close_pairing(session, actor, p, on=data.left_on, reason="helper_left")
    await _retire(session, actor, helper, data.left_on, handed_over=len(handed))
    return Departure(helper=helper, handed_over=handed, closed_pairings=[p.id for p in closed])


# --- Kaiping 五(十)2: enterprises employing labourers of registered poor households ----------------


@dataclass(frozen=True)
class Employment:
    """An employment record, and whether it is stable employment (the rule's years) today."""

    row: EnterpriseEmployment
    stably_employed: bool | None  # None: no rule for the enterprise's area


def _period(e: EnterpriseEmployment) -> rules.EmploymentPeriod:
    return rules.EmploymentPeriod(str(e.household_id), e.worker_name, e.started_on, e.ended_on)


def _employment(e: EnterpriseEmployment, rule: EmployerSupportRule | None, today: date) -> Employment:
    stable = None if rule is None else rules.stably_employed(_period(e), rule, today=today)
    return Employment(e, stable)


async def _enterprise(session: AsyncSession, actor: Principal, helper_id: uuid.UUID) -> Helper:
    helper = await get(session=session, actor=actor, helper_id=helper_id)
    if helper.kind != HelperKind.ENTERPRISE:
        raise PairingRuleViolated(
            f"only an enterprise employs poor labourers here; helper {helper_id} is a {helper.kind}",
            detail_zh=f"只有企业登记吸纳的贫困劳动力；该帮扶力量是“{HelperKind(helper.kind).label}”",
            rule="helper_kind",
        )
    return helper


async def add_employment(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, data: EmploymentIn, today: date
) -> Employment:
    helper = await _enterprise(session, actor, helper_id)
    _check_period(data, "An employment", "就业")
    household = await HouseholdRepository(session).get_in_area(data.household_id, actor, HouseholdNotFound)
    if household.status not in PAIRABLE_STATUSES:
        raise WorkerNotOnRoll(
            f"household {household.id} is {household.status}: "
            "only labourers of registered poor households count",
            detail_zh=f"户 {household.id} 不是建档立卡贫困户，其劳动力不计入",
            household_id=str(household.id),
            status=household.status,
        )
    row = await _add_dated(session, actor, helper, EnterpriseEmployment, data, "helper.employment_added")
    return _employment(row, employer_support_rule(helper.area_code), today)


async def employments(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, today: date
) -> list[Employment]:
    helper = await _enterprise(session, actor, helper_id)
    rule = employer_support_rule(helper.area_code)
    return [_employment(e, rule, today) for e in await HelperRepository(session).employments(helper.id)]


async def preferential_support(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, today: date
) -> tuple[Helper, rules.EmployerSupport]:
    """Whether the enterprise qualifies today for preferential loans and taxes (Kaiping 五(十)2);
    422 where no seed sets such a rule for its area."""
    helper = await _enterprise(session, actor, helper_id)
    rule = employer_support_rule(helper.area_code)
    if rule is None:
        raise InvalidInput(
            f"no preferential-support rule for enterprises applies at {helper.area_code}",
            detail_zh=f"{helper.area_code} 没有吸纳贫困劳动力企业的优惠政策规定",
            field="helper_id",
        )
    periods = [_period(e) for e in await HelperRepository(session).employments(helper.id)]
    return helper, rules.employer_support(periods, rule, today=today)
