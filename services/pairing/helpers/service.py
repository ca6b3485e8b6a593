"""Use cases of helpers: register, postings, and leaving with a hand-over. Flush, never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import HelperNotFound, InvalidPeriod, PairingRuleViolated
from services.pairing.helpers import events, rules
from services.pairing.helpers.repository import HelperRepository
from services.pairing.helpers.schemas import (
    HandOverItem,
    HelperIn,
    HelperOut,
    LeaveIn,
    LeaveOut,
    PostingIn,
    PostingOut,
)
from services.pairing.models import Helper, PostingPeriod
from services.pairing.needs import rules as need_rules
from services.pairing.needs.repository import NeedRepository
from services.pairing.pairings import service as pairing_service
from services.pairing.pairings.repository import PairingRepository
from services.pairing.pairings.rules import PairingKind
from services.pairing.policies import service as policy_service
from shared import audit
from shared.auth import Principal


class HelperAlreadyLeft(PairingRuleViolated):
    type_slug = "helper-already-left"
    title = "The helper has already left"
    title_zh = "该帮扶责任人已离开"
    hint_zh = "把该户交给仍在岗的帮扶责任人"
    hint_en = "Pair the household with a helper still in post"


def _snapshot(h: Helper) -> dict[str, object]:
    return HelperOut.model_validate(h).model_dump(mode="json")


async def register(*, session: AsyncSession, actor: Principal, data: HelperIn) -> HelperOut:
    if not actor.covers(data.area_code):
        raise HelperNotFound(f"Area {data.area_code} is outside your area", area_code=data.area_code)
    if data.team_id is not None:
        team = await HelperRepository(session).get(data.team_id)
        if team is None or not actor.covers(team.area_code):
            raise HelperNotFound(
                f"Team {data.team_id} does not exist in your area", team_id=str(data.team_id)
            )
        refusal = rules.team_refusal(data.kind, rules.HelperKind(team.kind))
        if refusal:
            raise PairingRuleViolated(refusal, rule="team_kind")
    helper = Helper(id=uuid.uuid4(), active=True, **data.model_dump())
    try:
        await HelperRepository(session).add(helper)
    except IntegrityError as exc:
        raise PairingRuleViolated(
            f"Login {data.user_sub} already belongs to another helper", rule="one_helper_per_login"
        ) from exc
    await audit.record(
        session,
        actor=actor,
        action="helper.registered",
        entity_type="helper",
        entity_id=helper.id,
        after=_snapshot(helper),
    )
    return HelperOut.model_validate(helper)


async def get(*, session: AsyncSession, actor: Principal, helper_id: uuid.UUID) -> HelperOut:
    helper = await HelperRepository(session).get(helper_id)
    if helper is None or not actor.covers(helper.area_code):
        raise HelperNotFound(f"Helper {helper_id} does not exist in your area", helper_id=str(helper_id))
    return HelperOut.model_validate(helper)


async def list_helpers(
    *, session: AsyncSession, prefix: str, kind: str | None, after: uuid.UUID | None, limit: int
) -> list[HelperOut]:
    rows = await HelperRepository(session).page(prefix=prefix, kind=kind, after=after, limit=limit)
    return [HelperOut.model_validate(h) for h in rows]


def _posting_out(p: PostingPeriod, today: date, resolve: policy_service.Resolver) -> PostingOut:
    out = PostingOut.model_validate(p)
    period = rules.PostingPeriod(p.area_code, p.started_on, p.ended_on, p.in_poor_area)
    out.counts_as_grassroots_service = rules.counts_as_grassroots_service(
        period, resolve(p.area_code), today=today
    )
    return out


async def add_posting(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, data: PostingIn, today: date
) -> PostingOut:
    helper = await pairing_service.scoped_helper(session, actor, helper_id)
    if data.ended_on is not None and data.ended_on < data.started_on:
        raise InvalidPeriod(f"A posting cannot end ({data.ended_on}) before it starts ({data.started_on})")
    posting = await HelperRepository(session).add_posting(
        PostingPeriod(id=uuid.uuid4(), helper_id=helper.id, **data.model_dump())
    )
    await audit.record(
        session,
        actor=actor,
        action="helper.posting_added",
        entity_type="posting_period",
        entity_id=posting.id,
        after={"helper_id": str(helper.id), **data.model_dump(mode="json")},
    )
    return _posting_out(posting, today, await policy_service.resolver(session, on=today))


async def postings(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, today: date
) -> list[PostingOut]:
    await get(session=session, actor=actor, helper_id=helper_id)
    resolve = await policy_service.resolver(session, on=today)
    return [_posting_out(p, today, resolve) for p in await HelperRepository(session).postings(helper_id)]


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
            or rules.HelperKind(receiver.kind) not in rules.IN_SYSTEM
        ):
            raise PairingRuleViolated(
                f"Helper {receiver_id} cannot take over: it must be another active in-system cadre",
                rule="hand_over_receiver",
            )
        receivers.append(receiver)
    return receivers


async def leave(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, data: LeaveIn, today: date
) -> LeaveOut:
    """A cadre leaves: every household moves to a receiver in this one transaction, or nothing
    changes (a household left without a cadre is refused). Other pairings end."""
    if data.left_on > today:
        raise InvalidPeriod(f"Record a leave when it happens; {data.left_on} is in the future")
    helper = await pairing_service.scoped_helper(session, actor, helper_id)
    if not helper.active:
        raise HelperAlreadyLeft(f"Helper {helper_id} left on {helper.left_on}", helper_id=str(helper_id))
    pairings = PairingRepository(session)
    active = await pairings.active_for_helper(helper.id)
    for p in active:
        if data.left_on < p.started_on:
            raise InvalidPeriod(
                f"Pairing {p.id} started on {p.started_on}, after the leaving day {data.left_on}"
            )
    households = [p for p in active if p.kind == PairingKind.CADRE_HOUSEHOLD]
    handed: list[HandOverItem] = []
    if households:
        receivers = await _receivers(session, actor, helper, data.receiver_ids)
        loads = await pairings.cadre_loads(r.id for r in receivers)
        plan = need_rules.plan_hand_over(
            [(p.target_id, p.area_code) for p in households],
            [need_rules.CadreLoad(str(r.id), r.area_code, loads.get(r.id, 0)) for r in receivers],
            cap=(await policy_service.resolver(session, on=data.left_on))(
                helper.area_code
            ).cadre_household_cap,
        )
        by_id = {str(r.id): r for r in receivers}
        needs = NeedRepository(session)
        for old in households:
            await pairing_service.close_pairing(session, actor, old, on=data.left_on, reason="handed_over")
            household = await needs.household(uuid.UUID(old.target_id), for_update=True)
            assert household is not None  # a pairing's household is always projected
            new = await pairing_service.create_pairing(
                session,
                actor,
                kind=PairingKind.CADRE_HOUSEHOLD,
                helper=by_id[plan[old.target_id]],
                target=pairing_service.household_target(household),
                started_on=data.left_on,
            )
            handed.append(
                HandOverItem(
                    household_id=household.id,
                    from_pairing_id=old.id,
                    to_pairing_id=new.id,
                    to_helper_id=new.helper_id,
                )
            )
    closed = [p for p in active if p.kind != PairingKind.CADRE_HOUSEHOLD]
    for p in closed:
        await pairing_service.close_pairing(session, actor, p, on=data.left_on, reason="helper_left")
    before = _snapshot(helper)
    helper.active, helper.left_on = False, data.left_on
    for posting in await HelperRepository(session).postings(helper.id):
        posting.ended_on = posting.ended_on or data.left_on
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="helper.left",
        entity_type="helper",
        entity_id=helper.id,
        before=before,
        after=_snapshot(helper),
    )
    await events.helper_left(session, helper, handed_over=len(handed))
    return LeaveOut(
        helper=HelperOut.model_validate(helper), handed_over=handed, closed_pairings=[p.id for p in closed]
    )
