"""Life changes of a household as typed operations with a reason: member added or removed,
head changed, split, merge, move to another village. Each one keeps the counters, is audited and
is published."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import service as area_service
from services.registry.conflicts.rules import ClaimKind
from services.registry.conflicts.service import Claim
from services.registry.errors import HouseholdChangeRefused
from services.registry.households import events
from services.registry.households.repository import HouseholdRepository
from services.registry.households.rules import (
    LeftMember,
    check_head_change,
    check_move,
    check_removal,
    check_split,
)
from services.registry.households.schemas import (
    HeadChange,
    MemberAdd,
    MemberRemoval,
    MergeIn,
    MoveIn,
    SplitIn,
)
from services.registry.households.service import (
    audited,
    changed,
    ensure_open,
    facts,
    flush_identities,
    load,
    new_member,
    refuse_held_identities,
    snapshot,
    state,
    track,
)
from services.registry.models import Household, Member
from services.registry.relapses.repository import RelapseRepository
from services.registry.vocabulary import HouseholdStatus, LeaveReason, Relation
from shared import audit
from shared.auth import Principal
from shared.backdating import check_not_future
from shared.pii import PiiCipher, mask_name


async def add_member(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    data: MemberAdd,
    cipher: PiiCipher,
    today: date,
) -> Member:
    h = await load(session, actor, household_id, lock=True)
    ensure_open(h)
    if data.member.relation is Relation.HEAD:
        raise HouseholdChangeRefused(
            "add the member first, then change the head", detail_zh="请先增加该成员，再变更户主"
        )
    member = new_member(data.member, cipher=cipher, today=today, household_id=h.id, reason=data.reason)
    await refuse_held_identities(
        session,
        [member.resident_id_hash],
        actor=actor,
        claim=Claim(ClaimKind.MEMBER, h.area_code, household_id=h.id),
        entered=[member],
        today=today,
    )
    before = snapshot(h)
    session.add(member)
    await flush_identities(session)
    h.member_count += 1
    await changed(
        session,
        actor,
        h,
        "member_added",
        after={"member_id": str(member.id), "reason": data.reason, "member_count": h.member_count},
        change="member_added",
    )
    await track(session, before, h)  # last: hot counter rows held only until commit
    return member


async def remove_member(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    data: MemberRemoval,
    today: date,
) -> None:
    h = await load(session, actor, household_id, lock=True)
    check_not_future(field="on", on=data.on, today=today, label_zh="减员日期")
    ensure_open(h)
    repo = HouseholdRepository(session)
    members = await repo.members(h.id)
    gone = None if any(m.id == member_id for m in members) else await repo.member(h.id, member_id)
    check_removal(facts(members), member_id, _left(gone), on=data.on)
    member = next(m for m in members if m.id == member_id)
    before = snapshot(h)
    member.active = False
    member.holds_identity = False
    member.left_reason = data.reason
    member.left_on = data.on
    h.member_count -= 1
    await changed(
        session,
        actor,
        h,
        "member_removed",
        after={"member_id": str(member_id), "reason": data.reason, "on": data.on.isoformat()},
        change="member_removed",
        reason=data.reason,
    )
    await track(session, before, h)  # last: hot counter rows held only until commit


def _left(member: Member | None) -> LeftMember | None:
    if member is None or member.active:
        return None
    reason = LeaveReason(member.left_reason) if member.left_reason in set(LeaveReason) else None
    return LeftMember(name=member.name, left_on=member.left_on, reason=reason)


async def change_head(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, data: HeadChange
) -> None:
    h = await load(session, actor, household_id, lock=True)
    ensure_open(h)
    repo = HouseholdRepository(session)
    members = await repo.members(h.id)
    old = check_head_change(facts(members), data.member_id)
    by_id = {m.id: m for m in members}
    if old is not None:
        by_id[old.id].relation = data.former_head_relation.value
    new_head = by_id[data.member_id]
    new_head.relation = Relation.HEAD.value
    before_name, h.head_name = h.head_name, new_head.name
    await changed(
        session,
        actor,
        h,
        "head_changed",
        before={"head_name": mask_name(before_name)},
        after={"head_member_id": str(new_head.id), "reason": data.reason},
        change="head_changed",
        members=members,
        reason=data.reason,
    )


async def split(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, data: SplitIn, today: date
) -> Household:
    """Some members leave to form a new household (分户) in the same village and status: check the
    split, open the new household, move its members over, name the remaining household's head, then
    audit both, publish both, and keep the counters (last)."""
    h, moving, staying = await _checked_split(session, actor, household_id, data)
    before = snapshot(h)
    new = await _open_split_off(session, h, moving, new_head_id=data.new_head_id, today=today)
    _move_members(moving, into=new, new_head_id=data.new_head_id)
    _remaining(h, staying, remaining_head_id=data.remaining_head_id)
    await session.flush()
    await _audit_split(session, actor, h, new, reason=data.reason)
    await _publish_split(session, h, staying, new, moving)
    await track(session, before, h, also=[(None, new)])  # one counter statement (see track)
    return new


async def _checked_split(
    session: AsyncSession, actor: Principal, household_id: uuid.UUID, data: SplitIn
) -> tuple[Household, list[Member], list[Member]]:
    """The household (locked, still open) with its members who leave and who stay, once the rules
    allow the split (the leaving members and both heads)."""
    h = await load(session, actor, household_id, lock=True)
    ensure_open(h)
    members = await HouseholdRepository(session).members(h.id)
    check_split(
        facts(members),
        data.member_ids,
        new_head_id=data.new_head_id,
        remaining_head_id=data.remaining_head_id,
    )
    leaving = set(data.member_ids)
    return h, [m for m in members if m.id in leaving], [m for m in members if m.id not in leaving]


async def _open_split_off(
    session: AsyncSession, h: Household, moving: list[Member], *, new_head_id: uuid.UUID, today: date
) -> Household:
    """The new household written, with the next household number of the village if the old one
    had one (a registered household splits into a registered one)."""
    repo = HouseholdRepository(session)
    new = _split_off(h, moving, new_head_id=new_head_id, today=today)
    if h.household_number is not None:
        new.household_number = await repo.next_number(h.area_code)
    await repo.add(new)
    return new


def _split_off(h: Household, moving: list[Member], *, new_head_id: uuid.UUID, today: date) -> Household:
    """The new household: the old one's place, year, status and assessment, its own members and head
    (registered today if the old one was registered)."""
    return Household(
        id=uuid.uuid4(),
        area_code=h.area_code,
        status=h.status,
        year=h.year,
        member_count=len(moving),
        head_name=next(m.name for m in moving if m.id == new_head_id),
        poverty_causes=list(h.poverty_causes),
        batches=list(h.batches),
        labour_willing=h.labour_willing,
        dibao=h.dibao,
        five_guarantee=h.five_guarantee,
        basic_needs=dict(h.basic_needs),
        income_channels=list(h.income_channels),
        plan=h.plan,
        review_result=h.review_result,
        review_held_on=h.review_held_on,
        notice_starts_on=h.notice_starts_on,
        confirmed_on=h.confirmed_on,
        registered_on=today if h.registered_on else None,
        version=1,
    )


def _move_members(moving: list[Member], *, into: Household, new_head_id: uuid.UUID) -> None:
    """The leaving members join the new household; its chosen head heads it, an old head does not."""
    for m in moving:
        m.household_id = into.id
        m.relation = Relation.HEAD.value if m.id == new_head_id else m.relation
        if m.relation == Relation.HEAD.value and m.id != new_head_id:
            m.relation = Relation.OTHER.value


def _remaining(h: Household, staying: list[Member], *, remaining_head_id: uuid.UUID | None) -> None:
    """The old household keeps the staying members, under a new head if the head left."""
    if remaining_head_id is not None:
        for m in staying:
            m.relation = Relation.HEAD.value if m.id == remaining_head_id else m.relation
        h.head_name = next(m.name for m in staying if m.id == remaining_head_id)
    h.member_count = len(staying)
    h.version += 1


async def _audit_split(
    session: AsyncSession, actor: Principal, h: Household, new: Household, *, reason: str
) -> None:
    for entity, after in ((h, state(h)), (new, state(new) | {"split_from": str(h.id)})):
        await audit.record(
            session, actor, "household.split", ("household", entity.id), after=after | {"reason": reason}
        )


async def _publish_split(
    session: AsyncSession, h: Household, staying: list[Member], new: Household, moving: list[Member]
) -> None:
    await events.updated(session, h, staying, change="split", split_into=str(new.id))
    if new.household_number is not None:
        await events.registered(session, new, moving, origin="split")
    else:
        await events.candidate_created(session, new)


async def merge(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, data: MergeIn
) -> Household:
    """All members of this household join another one in the same village; this one is removed."""
    if data.into_household_id == household_id:
        raise HouseholdChangeRefused("a household cannot merge into itself", detail_zh="一户不能并入自己")
    first, second = sorted([household_id, data.into_household_id])  # lock in a fixed order
    await load(session, actor, first, lock=True)
    await load(session, actor, second, lock=True)
    source = await load(session, actor, household_id)
    target = await load(session, actor, data.into_household_id)
    ensure_open(source)
    ensure_open(target)
    if HouseholdStatus.EXIT_REQUESTED.value in (source.status, target.status):
        raise HouseholdChangeRefused(
            "a household waiting for its exit verdict cannot merge; wait for the verdict",
            detail_zh="该户正在等待退出审核结果，不能合户；请等审核结果",
        )
    if source.area_code != target.area_code:
        raise HouseholdChangeRefused(
            "households merge within one village; move the household first",
            detail_zh="只能在同一村内合户；请先把该户迁到同一村",
        )
    repo = HouseholdRepository(session)
    moving = await repo.members(source.id)
    before_source, before_target = snapshot(source), snapshot(target)
    trail_before = state(source)
    for m in moving:
        m.household_id = target.id
        if m.relation == Relation.HEAD.value:
            m.relation = Relation.OTHER.value
    target.member_count += len(moving)
    target.version += 1
    source.member_count = 0
    source.status = HouseholdStatus.REMOVED.value
    source.closed_reason = f"并入{target.household_number or target.id}：{data.reason}"  # the card's words
    after = {"merged_into": str(target.id), "reason": data.reason}
    await audited(session, actor, source, "merged", before=trail_before, after=after)
    await events.updated(
        session, target, await repo.members(target.id), change="merge", merged_from=str(source.id)
    )
    await events.removed(session, source, reason=source.closed_reason)
    await track(session, before_source, source, also=[(before_target, target)])  # one statement
    return target


async def move(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, data: MoveIn, today: date
) -> Household:
    """The whole household moves to another village (迁移: 易地扶贫搬迁, moving in with family ...).

    The caller's area must hold both villages (else 404, as for anything outside it). Members keep
    their membership (they store no place of their own); the household number stays (it is an
    identifier, not an address). Counters: the old village and its ancestors lose the household,
    the new ones gain it; the common ancestors net to zero. Yearly entry/exit flows stay where they
    happened.
    """
    h = await load(session, actor, household_id, lock=True)
    target = await area_service.get(session=session, actor=actor, code=data.to_area_code)
    check_move(
        status=HouseholdStatus(h.status),
        from_area=h.area_code,
        to_area=target.code,
        to_level=target.level,
        moved_on=data.moved_on,
        today=today,
        relapse_open=await RelapseRepository(session).open_for(h.id) is not None,
    )
    before = snapshot(h)
    from_area = h.area_code
    h.area_code = target.code
    moved_on = data.moved_on.isoformat()
    await changed(
        session,
        actor,
        h,
        "moved",
        before={"area_code": from_area},
        after={"area_code": target.code, "reason": data.reason, "note": data.note, "moved_on": moved_on},
        change="moved",
        from_area_code=from_area,
        moved_on=moved_on,
        reason=data.reason,  # the code only: the free-text note stays in the audited record
    )
    await track(session, before, h)  # last: hot counter rows held only until commit
    return h
