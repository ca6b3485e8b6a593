"""Exit: eligibility under the area's policy, the request, and inspection's verdict."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as inspection
from services.registry.errors import ExitNotEligible
from services.registry.exits import events
from services.registry.exits.repository import ExitRequestRepository
from services.registry.exits.rules import EXIT_CRITERIA_ZH, Debt, Eligibility, ExitFacts, assess_exit
from services.registry.households import service as households
from services.registry.households.repository import HouseholdRepository
from services.registry.identification import service as identification
from services.registry.identification.rules import Action
from services.registry.models import AreaExitRequest, ExitRequest, Household
from services.registry.policies import service as policy_service
from services.registry.rollups.rules import CounterDelta, flow_deltas
from services.registry.vocabulary import HouseholdStatus
from shared import audit
from shared.areas import LEVEL_ZH
from shared.auth import Principal
from shared.backdating import check_year_begun
from shared.clock import clock
from shared.events import CloudEvent
from shared.events.contracts import parse

Actor = Principal | str
Verdict = (
    inspection.ExitVerified
    | inspection.ExitRejected
    | inspection.AreaExitVerified
    | inspection.AreaExitRejected
)


Request = TypeVar("Request", ExitRequest, AreaExitRequest)


async def pending_request(
    event: CloudEvent,
    verdicts: tuple[type[Verdict], ...],
    get: Callable[[uuid.UUID], Awaitable[Request | None]],
    what: str,
) -> tuple[Request, Verdict] | None:
    """The pending household or area exit request a verdict closes (``get`` locks it) and the
    verdict; None when the request is unknown or already decided: a verdict never applies twice."""
    verdict = parse(event)
    if not isinstance(verdict, verdicts):
        raise TypeError(f"{event.type} is not {what}")
    req = await get(uuid.UUID(verdict.exit_request_id))
    if req is None or req.status != "pending":
        return None
    return req, verdict


def decide(req: ExitRequest | AreaExitRequest, verdict: Verdict) -> None:
    """Close a pending household or area exit request by inspection's verdict: verified on the day
    the last signer signed, or returned today with the refusal's reason and step; the dossier kept."""
    if isinstance(verdict, inspection.ExitVerified | inspection.AreaExitVerified):
        req.status, req.decided_on = "verified", verdict.verified_on
    else:
        req.status, req.decided_on = "returned", clock.today()
        # what the clerk reads on the request: the signer's reason and the level that returned it, in
        # words (the dossier, dossier_id, names the position); the event keeps level and step as codes
        req.reason = f"{verdict.reason}（{LEVEL_ZH.get(verdict.level, verdict.level)}级签字时退回）"
    req.dossier_id = verdict.dossier_id


async def _assess(session: AsyncSession, h: Household, year: int) -> Eligibility:
    repo = HouseholdRepository(session)
    policy = await policy_service.resolve(session=session, area_code=h.area_code, year=year)
    facts = ExitFacts(
        per_capita_income_fen=await repo.income(h.id, year),
        income_channels=list(h.income_channels or ()),
        debts=[Debt(d.cause, d.amount_fen, d.settled) for d in await repo.debts(h.id)],
        basic_needs=dict(h.basic_needs or {}),
    )
    return assess_exit(facts, policy)


async def eligibility(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, year: int
) -> Eligibility:
    h = await households.load(session, actor, household_id)
    return await _assess(session, h, year)


async def request_exit(
    *, session: AsyncSession, actor: Actor, household_id: uuid.UUID, year: int, today: date
) -> ExitRequest:
    h = await identification.ready_for(session, actor, household_id, Action.REQUEST_EXIT)
    check_year_begun(year=year, today=today, doing="ask to exit for it", doing_zh="该年度开始后才能申请退出")
    result = await _assess(session, h, year)
    if not result.eligible:
        raise ExitNotEligible(
            "the household does not meet the exit standard: "
            + "; ".join(c.detail for c in result.criteria if not c.passed),
            detail_zh="该户未达到退出标准，未达标的项目："
            + "；".join(
                c.name_zh or EXIT_CRITERIA_ZH.get(c.criterion, c.criterion)
                for c in result.criteria
                if not c.passed
            ),
            eligibility=result.as_data(),
        )
    req = ExitRequest(
        id=uuid.uuid4(),
        household_id=h.id,
        year=year,
        status="pending",
        eligibility=result.as_data(),
        requested_on=today,
        requested_by=actor.sub if isinstance(actor, Principal) else actor,
    )
    session.add(req)
    detail = {"exit_request_id": str(req.id)}
    before = await identification.step(
        session, actor, h, Action.REQUEST_EXIT, detail=detail, audited_as="exit_requested"
    )
    await events.exit_requested(session, h, req)
    await households.track(session, before, h)  # last: hot counter rows held only until commit
    return req


async def _pending(session: AsyncSession, event: CloudEvent) -> tuple[ExitRequest, Household] | None:
    repo = ExitRequestRepository(session)
    found = await pending_request(
        event,
        (inspection.ExitVerified, inspection.ExitRejected),
        lambda request_id: repo.get(request_id, lock=True),
        "an exit verdict",
    )
    if found is None:
        return None
    req = found[0]
    h = await households.load(session, "inspection", req.household_id, lock=True)
    if h.status != HouseholdStatus.EXIT_REQUESTED.value:
        # Defensive: the household left exit_requested by another path. A verdict must never become
        # a poison message, so the request is closed as void and the reason kept.
        req.status, req.decided_on = "void", clock.today()
        # the clerk reads this reason beside the request: the verdict and the household's status in words
        verdict_zh = "核验通过" if event.type == inspection.ExitVerified.type else "核验退回"
        req.reason = (
            f"退出核验结论（{verdict_zh}）送达时，该户状态已是“{HouseholdStatus(h.status).label}”，"
            "不再是申请退出中，本申请作废"
        )
        await audit.record(
            session,
            "inspection",
            "exit_request.voided",
            ("exit_request", req.id),
            after={"reason": req.reason, "event_id": event.id},
        )
        return None
    return req, h


async def on_exit_verified(session: AsyncSession, event: CloudEvent) -> None:
    """All 4-3-4-2 levels signed: the household exits and keeps its policies until the policy date."""
    found = await _pending(session, event)
    if found is None:
        return
    req, h = found
    verdict = inspection.ExitVerified.of(event)
    verified_on = verdict.verified_on
    policy = await policy_service.resolve(session=session, area_code=h.area_code, year=req.year)

    exit_dates = {
        "exited_on": verified_on,
        # 脱贫不脱政策: the keep period is counted from this household's own exit date
        "policies_kept_until": policy.kept_until(verified_on),
        # the exit is published on a public notice for the policy's minimum days, starting that day
        "exit_notice_until": verified_on + timedelta(days=policy.notice_days_required - 1),
    }
    decide(req, verdict)
    exits = flow_deltas(h.area_code, kind="exits", year=req.year, persons=h.member_count)
    await _close(session, req, h, Action.VERIFY_EXIT, {"event_id": event.id}, changes=exit_dates, flows=exits)


async def on_exit_rejected(session: AsyncSession, event: CloudEvent) -> None:
    """A level refused to sign: the household goes back to registered, with the reason."""
    found = await _pending(session, event)
    if found is None:
        return
    req, h = found
    decide(req, inspection.ExitRejected.of(event))
    await _close(session, req, h, Action.RETURN_EXIT, {"reason": req.reason})


# A verdict's step: what the household's audit record calls it (household.<…>), and the event it
# publishes.
_CLOSES = {
    Action.VERIFY_EXIT: ("exited", events.exited),
    Action.RETURN_EXIT: ("exit_returned", events.exit_returned),
}


async def _close(
    session: AsyncSession,
    req: ExitRequest,
    h: Household,
    step: Action,
    noted: dict[str, object],
    *,
    changes: Mapping[str, object] | None = None,
    flows: Sequence[CounterDelta] = (),
) -> None:
    """The household takes the verdict's ``step`` (setting ``changes`` too), audited with ``noted``,
    published and counted."""
    audited_as, publish = _CLOSES[step]
    before = await identification.step(
        session, "inspection", h, step, detail=noted, changes=changes, audited_as=audited_as
    )
    await publish(session, h, req)
    await households.track(session, before, h, flows=flows)  # last: hot counter rows held only until commit


async def list_requests(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID
) -> list[ExitRequest]:
    h = await households.load(session, actor, household_id)
    return await ExitRequestRepository(session).for_household(h.id)
