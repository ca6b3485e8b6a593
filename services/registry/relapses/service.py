"""Return to poverty (返贫): a case walks the policy's approval chain; the last step re-registers."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.errors import (
    HouseholdNotFound,
    RelapseCaseNotFound,
    RelapseRoutedElsewhere,
    TransitionRefused,
)
from services.registry.households import events as household_events
from services.registry.households import service as households
from services.registry.households.repository import HouseholdRepository
from services.registry.identification import service as identification
from services.registry.identification.rules import Action
from services.registry.models import Household, RelapseCase
from services.registry.policies import service as policy_service
from services.registry.policies.rules import ApprovalStep, RegistryPolicy
from services.registry.relapses import events
from services.registry.relapses.repository import RelapseRepository
from services.registry.relapses.rules import check_step, next_step, plan_year_after
from services.registry.relapses.schemas import RelapseCaseIn
from services.registry.rollups.rules import flow_deltas
from services.registry.vocabulary import HouseholdStatus
from shared import audit
from shared.auth import Principal

# What an exited household loses when it walks identification again (its exit and its last pass).
_CLEARED_ON_REIDENTIFICATION = (
    "exited_on",
    "policies_kept_until",
    "exit_notice_until",
    "review_result",
    "review_held_on",
    "notice_starts_on",
    "confirmed_on",
    "confirmation_signature",
)


def chain_of(case: RelapseCase) -> list[ApprovalStep]:
    return [ApprovalStep(**s) for s in case.chain]


def pending_step(case: RelapseCase) -> str | None:
    if case.status != "open":
        return None
    step = next_step(chain_of(case), [d["step"] for d in case.decisions])
    return step.code if step else None


def _check_route(policy: RegistryPolicy, cause_kind: str, wanted: str) -> None:
    """Refuse a return to poverty taken the way the area's policy does not send this cause."""
    route = policy.relapse_route(cause_kind)
    if route.route == wanted:
        return
    how = {
        "chain": "through the approval chain (POST …/relapse-cases)",
        "identification": "back through ordinary identification as a candidate (POST …/reidentification)",
    }[route.route]
    how_zh = {"chain": "应走返贫审批流程（返贫申请）", "identification": "应作为拟识别对象重新识别"}[
        route.route
    ]
    raise RelapseRoutedElsewhere(
        f"in {policy.area_code} a return to poverty for {cause_kind!r} goes {how}: {route.said}",
        detail_zh=f"本地区这一原因的返贫{how_zh}：{route.said}",
        cause_kind=cause_kind,
        route=route.route,
        policy_cause=route.cause,
        wording=route.said,
    )


async def _exited(session: AsyncSession, actor: Principal, household_id: uuid.UUID) -> Household:
    h = await households.load(session, actor, household_id, lock=True)
    if h.status != HouseholdStatus.EXITED.value:
        raise TransitionRefused(
            f"only an exited household can return to poverty; this one is {h.status}",
            detail_zh=f"只有已脱贫退出的户才能申请返贫；该户状态为“{HouseholdStatus(h.status).label}”",
        )
    if await RelapseRepository(session).open_for(h.id) is not None:
        raise TransitionRefused(
            "a return-to-poverty case for this household is already open",
            detail_zh="该户已有正在审批的返贫申请",
        )
    return h


async def _routed(
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    cause_kind: str,
    today: date,
    *,
    route: str,
) -> tuple[Household, RegistryPolicy]:
    """The exited household and this year's policy of its area, if that policy sends ``cause_kind``
    along ``route`` (else ``RelapseRoutedElsewhere``)."""
    h = await _exited(session, actor, household_id)
    policy = await policy_service.resolve(session=session, area_code=h.area_code, year=today.year)
    _check_route(policy, cause_kind, route)
    return h, policy


async def open_case(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    data: RelapseCaseIn,
    today: date,
) -> RelapseCase:
    h, policy = await _routed(session, actor, household_id, data.cause_kind, today, route="chain")
    case = RelapseCase(
        id=uuid.uuid4(),
        household_id=h.id,
        status="open",
        cause=data.cause,
        cause_kind=data.cause_kind,
        opened_on=today,
        chain=[asdict(s) for s in policy.relapse_chain],
        decisions=[],
    )
    await RelapseRepository(session).add(case)
    await audit.record_new(session, actor, "relapse.opened", case, "household_id", "cause", "cause_kind")
    return case


async def reidentify(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    data: RelapseCaseIn,
    today: date,
) -> Household:
    """A return to poverty the policy sends through ordinary identification (Kaiping: every cause
    but a major natural disaster): the exited household becomes a candidate of this year again and
    walks review, public notice and its own signed confirmation before it is registered."""
    h, _ = await _routed(session, actor, household_id, data.cause_kind, today, route="identification")
    before = await identification.step(
        session,
        actor,
        h,
        Action.REIDENTIFY,
        changes={"year": today.year} | dict.fromkeys(_CLEARED_ON_REIDENTIFICATION),
        detail={"cause": data.cause, "cause_kind": data.cause_kind},
        audited_as="reidentification",
    )
    members = await HouseholdRepository(session).members(h.id)
    await household_events.updated(session, h, members, change="reidentification", cause_kind=data.cause_kind)
    await households.track(session, before, h)  # last: hot counter rows held only until commit
    return h


async def get(
    *, session: AsyncSession, actor: Principal, case_id: uuid.UUID, lock: bool = False
) -> RelapseCase:
    case = await RelapseRepository(session).get(case_id, lock=lock)
    if case is None:
        raise RelapseCaseNotFound(f"return-to-poverty case {case_id} does not exist in your area")
    try:
        await households.load(session, actor, case.household_id)
    except HouseholdNotFound as exc:  # the household is outside the caller's area: the case is too
        raise RelapseCaseNotFound(f"return-to-poverty case {case_id} does not exist in your area") from exc
    return case


async def decide(
    *,
    session: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    step: str,
    approve: bool,
    reason: str,
    today: date,
) -> RelapseCase:
    case = await get(session=session, actor=actor, case_id=case_id, lock=True)
    if case.status != "open":
        raise TransitionRefused(f"this case is already {case.status}", detail_zh="该返贫申请已审批完毕")
    done = [d["step"] for d in case.decisions]
    check_step(chain_of(case), done, step_code=step, roles=actor.roles, signer_level=actor.area.level.value)
    decision = {
        "step": step,
        "decision": "approve" if approve else "refuse",
        "by": actor.sub,
        "area_code": actor.area_code,
        "reason": reason,
        "on": today.isoformat(),
    }
    case.decisions = [*case.decisions, decision]
    if not approve:
        case.status = "refused"
    elif next_step(chain_of(case), [*done, step]) is None:
        case.status = "approved"
        case.plan_year = plan_year_after(today.year)
        await _reregister(session, actor, case)
    await session.flush()
    await audit.record(
        session,
        actor,
        "relapse.decided",
        ("relapse_case", case.id),
        after=decision | {"case_status": case.status},
    )
    return case


async def _reregister(session: AsyncSession, actor: Principal, case: RelapseCase) -> None:
    h = await households.load(session, "relapse-chain", case.household_id, lock=True)
    assert case.plan_year is not None
    before = await identification.step(
        session,
        actor,
        h,
        Action.RELAPSE,
        changes={
            "year": case.plan_year,
            "exited_on": None,
            "policies_kept_until": None,
            "exit_notice_until": None,
        },
        detail={"relapse_case_id": str(case.id)},
        audited_as="relapsed",
    )
    entries = flow_deltas(h.area_code, kind="entries", year=case.plan_year, persons=h.member_count)
    await events.relapsed(
        session, h, await HouseholdRepository(session).members(h.id), plan_year=case.plan_year
    )
    await households.track(session, before, h, flows=entries)  # one counter statement (see track)
