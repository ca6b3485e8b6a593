"""Households and members: create, read, update, life changes. One use case = one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas import service as area_service
from services.registry.conflicts import service as conflict_service
from services.registry.conflicts.rules import ClaimKind
from services.registry.conflicts.service import Claim
from services.registry.errors import (
    HouseholdChangeRefused,
    HouseholdNotFound,
    IncomeNotFound,
    InvalidMember,
    MemberNotFound,
    PersonInAnotherHousehold,
)
from services.registry.households import events
from services.registry.households.repository import CardRows, HouseholdRepository, ListFilter, ListRow
from services.registry.households.rules import (
    MemberFacts,
    check_batches,
    check_income_year,
    check_member_identity,
    check_plan_year,
)
from services.registry.households.schemas import (
    DebtIn,
    DebtOut,
    HouseholdAttributes,
    HouseholdIn,
    IncomeIn,
    IncomeOut,
    MemberIn,
    MemberOut,
)
from services.registry.models import Debt, Household, IncomeRecord, Member
from services.registry.policies import service as policy_service
from services.registry.rollups.repository import RollupRepository, counters_write
from services.registry.rollups.rules import CounterDelta, Snapshot, counter_deltas
from services.registry.vocabulary import (
    ACTIVE_STATUSES,
    HouseholdStatus,
    LabourCapacity,
    PovertyCause,
    Relation,
    batch_code,
)
from shared import audit, cadres
from shared.auth import Principal
from shared.backdating import check_not_future
from shared.errors import InvalidInput
from shared.fields import uuid_or_none
from shared.http import check_if_match, check_put_precondition
from shared.pii import PiiCipher, mask_resident_id
from shared.repository import Slice

Actor = Principal | str

# --- helpers every household use case shares -------------------------------------------------


def snapshot(h: Household) -> Snapshot:
    return Snapshot(
        area_code=h.area_code,
        status=HouseholdStatus(h.status),
        persons=h.member_count,
        causes=tuple(h.poverty_causes or ()),
        batches=tuple(h.batches or ()),
    )


def state(h: Household) -> dict[str, Any]:
    """What the audit trail keeps of a household (no personal data beyond the head's name)."""
    return {
        "status": h.status,
        "area_code": h.area_code,
        "year": h.year,
        "household_number": h.household_number,
        "member_count": h.member_count,
        "poverty_causes": list(h.poverty_causes or ()),
        "batches": list(h.batches or ()),
        "dibao": h.dibao,
        "five_guarantee": h.five_guarantee,
        "labour_willing": h.labour_willing,
        "basic_needs": dict(h.basic_needs or {}),
        "income_channels": list(h.income_channels or ()),
        "version": h.version,
    }


async def _may_read(session: AsyncSession, actor: Principal, household_id: uuid.UUID, area_code: str) -> bool:
    """In the caller's area and, for a cadre, paired to them (others are 404: not even their existence)."""
    if not actor.covers(area_code):
        return False
    own = await cadres.cadre_households(session, actor)
    return own is None or str(household_id) in own


async def load(
    session: AsyncSession, actor: Actor, household_id: uuid.UUID, *, lock: bool = False
) -> Household:
    h = await HouseholdRepository(session).get(household_id, lock=lock)
    if h is None or (isinstance(actor, Principal) and not await _may_read(session, actor, h.id, h.area_code)):
        raise HouseholdNotFound.in_your_area(household_id)
    return h


# The card's parts' fields (its schemas'), named once: the card statement is kept per these tuples.
_MEMBER_FIELDS = tuple(MemberOut.model_fields)
_INCOME_FIELDS = tuple(IncomeOut.model_fields)
_DEBT_FIELDS = tuple(DebtOut.model_fields)


async def read_card(session: AsyncSession, actor: Principal, household_id: uuid.UUID) -> CardRows:
    """The household card as the caller may read it (the same 404 as :func:`load` otherwise), its
    parts with exactly the fields of the card's schemas."""
    card = await HouseholdRepository(session).card(
        household_id, member_fields=_MEMBER_FIELDS, income_fields=_INCOME_FIELDS, debt_fields=_DEBT_FIELDS
    )
    if card is None or not await _may_read(session, actor, household_id, card.household["area_code"]):
        raise HouseholdNotFound.in_your_area(household_id)
    return card


async def track(
    session: AsyncSession,
    before: Snapshot | None,
    h: Household | None,
    *,
    also: Sequence[tuple[Snapshot | None, Household | None]] = (),
    flows: Sequence[CounterDelta] = (),
) -> None:
    """Keep the roll-up counters in step, in the same transaction as the change.

    A use case calls this once with everything it changes (``also``: a merge's target, a split's
    new household; ``flows``: the yearly entries/exits), so all its counter rows are written by
    one upsert over sorted keys. The township, county, city and province rows are shared by every
    clerk under them; a second counter statement later in the transaction would lock some of
    them out of that order, and two clerks then deadlock (test_concurrent_counters.py). It is the
    use case's last statement: the rows stay locked until the commit, so nothing else (audit,
    outbox, the event loop's other requests) should run while they are held.
    """
    deltas = [*flows]
    for was, now in ((before, h), *also):
        deltas += counter_deltas(was, snapshot(now) if now is not None else None)
    await RollupRepository(session).apply(deltas)


async def audited(
    session: AsyncSession,
    actor: Actor,
    h: Household,
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    """A household's change, once it is made: its version goes up (a new ETag), it is written and
    audited as ``household.<action>`` (``before``/``after``). The caller publishes what it changed."""
    h.version += 1
    await session.flush()
    await audit.record(session, actor, f"household.{action}", ("household", h.id), before=before, after=after)


async def changed(
    session: AsyncSession,
    actor: Actor,
    h: Household,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
    change: str,
    members: Sequence[Member] | None = None,
    **detail: object,
) -> None:
    """A household's change, once it is made: written and audited as :func:`audited` does, and
    published as updated (``change`` and ``detail``) with its members as they are now (``members``:
    the caller has them already)."""
    await audited(session, actor, h, action, before=before, after=after)
    if members is None:
        members = await HouseholdRepository(session).members(h.id)
    await events.updated(session, h, members, change=change, **detail)


def ensure_open(h: Household) -> None:
    if HouseholdStatus(h.status) not in ACTIVE_STATUSES:
        raise HouseholdChangeRefused(
            f"household {h.id} is {h.status}; it cannot change any more",
            detail_zh=f"该户状态为“{HouseholdStatus(h.status).label}”，不能再变更",
        )


async def flush_identities(session: AsyncSession) -> None:
    """The unique index is the last word on 'one person, one active household' under races."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise _held_meanwhile(exc) from exc


def _held_meanwhile(exc: IntegrityError) -> Exception:
    """The refusal of a write the identity index stopped (a race), or the error itself."""
    if "uq_member_identity_held" in str(exc.orig):
        return PersonInAnotherHousehold(
            "a member was registered in another household at the same moment; reload and check",
            detail_zh="有成员刚刚被登记到另一户，请刷新后核对",
        )
    return exc


async def refuse_held_identities(
    session: AsyncSession,
    hashes: Sequence[str],
    *,
    except_household: uuid.UUID | None = None,
    actor: Actor | None = None,
    claim: Claim | None = None,
    entered: Sequence[Member] = (),
    today: date | None = None,
) -> None:
    """One person, one active household. A holder inside the caller's area is named (the clerk
    may read it anyway); when every holder lies outside it, the clerk learns nothing of them: an
    identity conflict is opened per person for the officer covering both areas (conflicts/), and
    the refusal carries only the conflicts' ids."""
    repo = HouseholdRepository(session)
    if not await repo.any_identity_held(hashes):  # the usual case: no one holds them
        return
    found = [  # one read for both checks below
        (m, h) for m, h in await repo.identity_holder_members(hashes) if h.id != except_household
    ]
    if isinstance(actor, Principal) and claim is not None and today is not None:
        if found and not any(actor.covers(h.area_code) for _, h in found):
            by_hash = {e.resident_id_hash: e for e in entered}
            pairs = [(by_hash[m.resident_id_hash], m, h) for m, h in found]
            raise await conflict_service.open_conflicts(session, actor, claim, pairs, today=today)
    if found:
        _, h = found[0]
        raise PersonInAnotherHousehold(
            f"this person is already a member of household {h.household_number or h.id} "
            f"({h.status}, area {h.area_code}); one person may be in only one active household",
            detail_zh=f"此人已是户 {h.household_number or h.id}（{HouseholdStatus(h.status).label}，"
            f"地区 {h.area_code}）的成员；一人只能在一个在册户中，请先从原户减员或核对身份证号",
            household_id=str(h.id),
            household_number=h.household_number,
            area_code=h.area_code,
        )


def new_member(
    data: MemberIn, *, cipher: PiiCipher, today: date, household_id: uuid.UUID, reason: str
) -> Member:
    return Member(**member_values(data, cipher=cipher, today=today, household_id=household_id, reason=reason))


def member_values(
    data: MemberIn, *, cipher: PiiCipher, today: date, household_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    """A new member's columns (ID rules checked; the number encrypted and blind-indexed here, in
    Python, so no full ID reaches the database in plaintext). The bulk path builds the same columns
    as COPY records (households.bulk._member; tests/registry/unit/test_bulk_records.py)."""
    parsed = check_member_identity(data.resident_id, birth_date=data.birth_date, sex=data.sex, today=today)
    return {
        "id": uuid.uuid4(),
        "household_id": household_id,
        "name": data.name,
        "resident_id_cipher": cipher.encrypt(parsed.number),
        "resident_id_hash": cipher.keyed_hash(parsed.number),
        "resident_id_masked": mask_resident_id(parsed.number),
        "birth_date": parsed.birth_date,
        "sex": parsed.sex,
        "relation": data.relation.value,
        "schooling": data.schooling,
        "health": data.health,
        "disability": data.disability,
        "labour_capacity": data.labour_capacity.value,
        "in_school": data.in_school,
        "migrant_work": data.migrant_work,
        "active": True,
        "holds_identity": True,
        "joined_reason": reason,
    }


def facts(members: Sequence[Member]) -> list[MemberFacts]:
    return [
        MemberFacts(
            id=m.id,
            relation=Relation(m.relation),
            birth_date=m.birth_date,
            labour_capacity=LabourCapacity(m.labour_capacity),
            in_school=m.in_school,
            has_work_info=m.migrant_work,
        )
        for m in members
    ]


async def _checked_batches(session: AsyncSession, area_code: str, year: int, batches: list[str]) -> list[str]:
    policy = await policy_service.resolve(session=session, area_code=area_code, year=year)
    return check_batches(batches, allowed=policy.batches, batch_set=policy.batch_set)


def _apply_attributes(h: Household, data: HouseholdAttributes, batches: list[str] | None) -> None:
    if data.poverty_causes is not None:
        h.poverty_causes = list(dict.fromkeys(c.value for c in data.poverty_causes))
    if batches is not None:
        h.batches = batches
    for name in ("labour_willing", "dibao", "five_guarantee", "plan"):
        value = getattr(data, name)
        if value is not None:
            setattr(h, name, value)
    if data.basic_needs is not None:
        h.basic_needs = {**(h.basic_needs or {}), **{k.value: v for k, v in data.basic_needs.items()}}
    if data.income_channels is not None:
        h.income_channels = list(dict.fromkeys(c for c in data.income_channels if c))


# --- use cases ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewHousehold:
    """A household just written, and its members (ordered as a card lists them): the answer is
    built from them, not read back."""

    household: Household
    members: list[Member]


async def create_candidate(
    *, session: AsyncSession, actor: Actor, data: HouseholdIn, cipher: PiiCipher, today: date
) -> NewHousehold:
    check_plan_year(data.year, today=today)
    area = await area_service.with_policies(session=session, actor=actor, code=data.area_code, year=data.year)
    if area.level != "village":
        raise InvalidInput(
            f"households belong to a village; {area.code} is a {area.level}",
            detail_zh=f"户须登记在村；{area.code} 不是村，请填写村的12位代码",
            area_code=area.code,
        )
    heads = [m for m in data.members if m.relation is Relation.HEAD]
    if len(heads) != 1:
        raise InvalidMember(
            f"a household has exactly one head; {len(heads)} given",
            detail_zh=f"每户须有且只有一名户主，现有{len(heads)}名；请在与户主关系中标明一名户主",
            field="members",
        )
    policy = policy_service.resolve_from(area.policies, area_code=area.code, year=data.year)
    batches = check_batches(data.batches or [], allowed=policy.batches, batch_set=policy.batch_set)
    # never added to the session: written with its members in one statement (insert_new)
    household = Household(
        id=uuid.uuid4(),
        area_code=area.code,
        status=HouseholdStatus.CANDIDATE.value,
        year=data.year,
        head_name=heads[0].name,
        member_count=len(data.members),
        poverty_causes=[],
        batches=[],
        dibao=False,
        five_guarantee=False,
        basic_needs={},
        income_channels=[],
        version=1,
        created_on=today,
    )
    _apply_attributes(household, data, batches)
    rows = [
        member_values(m, cipher=cipher, today=today, household_id=household.id, reason="registration")
        for m in data.members
    ]
    members = [Member(**row) for row in rows]
    hashes = [m.resident_id_hash for m in members]
    if len(set(hashes)) != len(hashes):
        raise InvalidMember(
            "the same resident ID appears twice in this household",
            detail_zh="同一身份证号在本户中出现了两次，请核对",
            field="members",
        )
    await refuse_held_identities(
        session,
        hashes,
        actor=actor,
        claim=Claim(ClaimKind.HOUSEHOLD, area.code),
        entered=members,
        today=today,
    )
    # The household, its members, audit row, event and counters in one statement (one round
    # trip): the audit chain starts at the household's id, made here (no other writer knows it);
    # the hot counter rows are locked in key order by it and held only until the commit.
    together = [
        audit.new_entities_write(
            actor=actor,
            action="household.candidate_created",
            entity_type="household",
            entries=[(household.id, None, state(household))],
        ),
        events.candidate_created_write(household),
    ]
    if (counters := counters_write(counter_deltas(None, snapshot(household)))) is not None:
        together.append(counters)
    try:
        await HouseholdRepository(session).insert_new(household, rows, together=together)
    except IntegrityError as exc:
        raise _held_meanwhile(exc) from exc
    return NewHousehold(household, sorted(members, key=lambda m: m.id))  # a card's order: by id


async def update_attributes(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    data: HouseholdAttributes,
    if_match: str | None,
) -> Household:
    h = await load(session, actor, household_id, lock=True)
    check_if_match(if_match, h.version)
    ensure_open(h)
    before, before_state = snapshot(h), state(h)
    batches = (
        await _checked_batches(session, h.area_code, h.year, data.batches)
        if data.batches is not None
        else None
    )
    _apply_attributes(h, data, batches)
    await changed(
        session, actor, h, "attributes_changed", before=before_state, after=state(h), change="attributes"
    )
    await track(session, before, h)  # last: hot counter rows held only until commit
    return h


async def read_income(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, year: int
) -> IncomeRecord:
    h = await load(session, actor, household_id)
    row = await HouseholdRepository(session).income_record(h.id, year)
    if row is None:
        raise IncomeNotFound(
            f"no income recorded for household {household_id} in {year}",
            detail_zh=f"该户{year}年度没有收入记录，请先登记",
            household_id=str(household_id),
            year=year,
        )
    return row


async def record_income(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    data: IncomeIn,
    if_match: str | None,
    today: date,
) -> IncomeRecord:
    """A year's first income needs no If-Match; changing it needs the ETag of GET …/incomes/{year}.
    The household's row lock serializes writers, so of two first recordings the second sees the
    first's row and is told to read it (428) instead of overwriting it. A year not yet begun: 422."""
    h = await load(session, actor, household_id, lock=True)  # 404 before 422, as the other dates
    check_income_year(data.year, today)
    repo = HouseholdRepository(session)
    current = await repo.income_record(h.id, data.year)
    check_put_precondition(if_match, current.version if current else None)
    ensure_open(h)
    before = current.per_capita_income_fen if current else None
    row = await repo.put_income(h.id, data.year, data.per_capita_income_fen)
    await changed(
        session,
        actor,
        h,
        "income_recorded",
        before={"year": data.year, "per_capita_income_fen": before},
        after=data.model_dump() | {"version": row.version},
        change="income",
        year=data.year,
    )
    return row


async def add_debt(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, data: DebtIn, today: date
) -> Debt:
    h = await load(session, actor, household_id, lock=True)
    check_not_future(field="recorded_on", on=data.recorded_on, today=today, label_zh="负债登记日期")
    ensure_open(h)
    debt = Debt(
        id=uuid.uuid4(),
        household_id=h.id,
        cause=data.cause.value,
        amount_fen=data.amount_fen,
        settled=False,
        recorded_on=data.recorded_on,
    )
    session.add(debt)
    await changed(
        session,
        actor,
        h,
        "debt_recorded",
        after=data.model_dump(mode="json") | {"debt_id": str(debt.id)},
        change="debt",
    )
    return debt


async def settle_debt(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, debt_id: uuid.UUID
) -> None:
    h = await load(session, actor, household_id, lock=True)
    debt = await HouseholdRepository(session).debt(h.id, debt_id)
    if debt is None:
        raise HouseholdNotFound(
            f"debt {debt_id} is not recorded for this household",
            detail_zh=f"该户没有编号为 {debt_id} 的负债记录",
        )
    debt.settled = True
    await changed(
        session,
        actor,
        h,
        "debt_settled",
        before={"debt_id": str(debt_id), "settled": False},
        after={"debt_id": str(debt_id), "settled": True},
        change="debt",
    )


async def read_parts(session: AsyncSession, h: Household) -> tuple[list[Member], list[Any], list[Debt]]:
    repo = HouseholdRepository(session)
    return await repo.members(h.id), await repo.incomes(h.id), await repo.debts(h.id)


async def reveal_resident_id(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    cipher: PiiCipher,
) -> str:
    """A full ID read: only for roles that may, and always audited."""
    h = await load(session, actor, household_id)
    member = await HouseholdRepository(session).member(h.id, member_id)
    if member is None:
        raise MemberNotFound(
            f"member {member_id} is not in household {household_id}", detail_zh=f"成员 {member_id} 不在该户中"
        )
    await audit.record(
        session, actor, "pii.resident_id_read", ("member", member.id), after={"household_id": str(h.id)}
    )
    return cipher.decrypt(member.resident_id_cipher)


def _ids(own: set[str] | None) -> frozenset[uuid.UUID] | None:
    return None if own is None else frozenset(u for u in map(uuid_or_none, own) if u is not None)


# the roles whose work needs the head's full name in a search result (the clerks who enter and
# approve households); the others see the masked name only
FULL_NAME_ROLES = frozenset({"registrar", "approver", "admin"})


def shows_full_names(actor: Principal) -> bool:
    return bool(actor.roles & FULL_NAME_ROLES)


async def search(
    *,
    session: AsyncSession,
    actor: Principal,
    area_code: str | None,
    status: HouseholdStatus | None,
    cause: PovertyCause | None,
    batch: str | None,
    name: str | None,
    resident_id: str | None,
    cipher: PiiCipher,
    cursor: str | None,
    limit: int,
) -> Slice[ListRow]:
    prefix, area = actor.area_prefix, None
    if area_code is not None:
        area = area_service.parse_code(area_code)
        if not actor.covers(area):
            raise area_service.not_in_area(area_code)
        prefix = area_service.prefix_of(area)
    found = await HouseholdRepository(session).page(
        ListFilter(
            area_prefix=prefix,
            status=status,
            cause=cause,
            batch=batch_code(batch) if batch else None,
            name=name or None,
            resident_id_hash=cipher.keyed_hash(resident_id) if resident_id else None,
            household_ids=_ids(await cadres.cadre_households(session, actor)),
        ),
        area_code=area,
        cursor=cursor,
        limit=limit,
    )
    if found is None:  # the area filtered by is not on the register
        raise area_service.not_in_area(area_code or "")
    return found
