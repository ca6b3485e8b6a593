"""Bulk import of already-registered households (provincial platform rolls, large fixtures).

Same checks as one-by-one creation (ID rules, one head, batch set, one person one household),
but set-based: areas, policies and identity conflicts are looked up once per import, rows are
inserted in batches, each household still gets its registered event, the import gets one audit
record listing every household (a chain of its own, keyed by the import's id), and the counters get
one aggregated update, last.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.repository import AreaRepository
from services.registry.conflicts import service as conflict_service
from services.registry.conflicts.rules import ClaimKind
from services.registry.conflicts.service import Claim
from services.registry.errors import AreaNotFound, InvalidMember, PersonActiveElsewhere
from services.registry.households import events
from services.registry.households.repository import HouseholdRepository
from services.registry.households.rules import check_batches
from services.registry.households.schemas import HouseholdImportIn, MemberIn
from services.registry.households.service import new_member, refuse_held_identities, state
from services.registry.models import Area, Household, Member
from services.registry.policies import service as policy_service
from services.registry.policies.rules import RegistryPolicy
from services.registry.rollups.repository import RollupRepository
from services.registry.rollups.rules import CounterDelta, Snapshot, counter_deltas, flow_deltas
from services.registry.vocabulary import HouseholdStatus, Relation
from shared import audit
from shared.auth import Principal
from shared.backdating import DateInFuture, LateEntryRefused
from shared.errors import InvalidInput
from shared.pii import PiiCipher


async def _refuse_held(
    session: AsyncSession,
    actor: Principal | str,
    households: list[Household],
    members: list[Member],
    row_of: dict[str, int],
    *,
    today: date,
) -> None:
    """One person, one household: holders inside the caller's area are named as for one household;
    when all lie outside it, a conflict per person goes to the officer covering both areas and the
    import is refused with the conflicts' ids and rows only (households.service.refuse_held_identities)."""
    hashes = list(row_of)
    held: list[tuple[Member, Household]] = []
    for start in range(0, len(hashes), 5_000):
        held += await HouseholdRepository(session).identity_holder_members(hashes[start : start + 5_000])
    if not held:
        return
    if not isinstance(actor, Principal) or any(actor.covers(h.area_code) for _, h in held):
        await refuse_held_identities(session, [m.resident_id_hash for m, _ in held])
        return  # not reached: it raises for any holder
    entered = {m.resident_id_hash: m for m in members}
    by_row: dict[int, list[tuple[Member, Member, Household]]] = defaultdict(list)
    for m, h in held:
        by_row[row_of[m.resident_id_hash]].append((entered[m.resident_id_hash], m, h))
    ids: list[str] = []
    for i, pairs in sorted(by_row.items()):
        claim = Claim(ClaimKind.IMPORT, households[i].area_code, index=i)
        refusal = await conflict_service.open_conflicts(session, actor, claim, pairs, today=today)
        ids += refusal.extensions["conflict_ids"]
    raise PersonActiveElsewhere(
        f"{len(ids)} person(s) in rows {sorted(by_row)} are already active in households outside your "
        "area; nothing was imported. Each case went to the officer covering both areas; quote the "
        "conflict ids",
        conflict_ids=ids,
        rows=sorted(by_row),
    )


@dataclass(slots=True)
class _Roll:
    """The import's households and members, built and checked row by row before anything is written."""

    households: list[Household] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    row_of: dict[str, int] = field(default_factory=dict)  # a person's keyed hash -> their row
    old_rows: list[int] = field(default_factory=list)  # rows registered before the tolerance


async def import_registered(
    *,
    session: AsyncSession,
    actor: Principal | str,
    rows: list[HouseholdImportIn],
    cipher: PiiCipher,
    today: date,
    source_roll: str | None = None,
    reason: str | None = None,
) -> tuple[int, int]:
    """Registration dates are typed dates (shared.backdating): none after today; rows registered
    further back than the policy's tolerance make the import an old roll, which must name its
    source roll and give a reason (both kept in the import's audit record).

    Steps: build and check every row; refuse an old roll without its source; refuse people held
    elsewhere; write the rows, each household's registered event and the import's audit record
    (its own chain, keyed by a fresh import id); the shared counters last (households.service.track)."""
    import_id = uuid.uuid4()
    roll = await _build(session, actor, rows, cipher=cipher, today=today)
    _check_old_roll(roll, source_roll=source_roll, reason=reason)
    await _refuse_held(session, actor, roll.households, roll.members, roll.row_of, today=today)
    await HouseholdRepository(session).insert_many(roll.households, roll.members)
    await _publish_registered(session, roll)
    await audit.record(
        session,
        actor=actor,
        action="household.imported",
        entity_type="household_import",
        entity_id=str(import_id),
        after={
            "import_id": str(import_id),
            "households": [str(h.id) for h in roll.households],
            "first": state(roll.households[0]),
            "source_roll": source_roll,
            "reason": reason,
            "registered_before_tolerance": len(roll.old_rows),
            "earliest_registered_on": min(r.registered_on for r in rows).isoformat(),
        },
    )
    await RollupRepository(session).apply(_counter_deltas(roll.households))
    return len(roll.households), len(roll.members)


async def _build(
    session: AsyncSession,
    actor: Principal | str,
    rows: list[HouseholdImportIn],
    *,
    cipher: PiiCipher,
    today: date,
) -> _Roll:
    """Every row checked (area, one head, batches, registration date) and turned into a household
    and its members; areas and policies are read once per import, numbers drawn in one statement."""
    areas = {a.code: a for a in await AreaRepository(session).get_many({r.area_code for r in rows})}
    policies: dict[tuple[str, int], RegistryPolicy] = {}
    numbers = await HouseholdRepository(session).next_numbers(len(rows))
    roll = _Roll()
    for i, row in enumerate(rows):
        area = _village(i, row, areas.get(row.area_code), actor)
        head = _head(i, row)
        key = (area.code, row.year)
        if key not in policies:
            policies[key] = await policy_service.resolve(session=session, area_code=area.code, year=row.year)
        policy = policies[key]
        if _registered_before_tolerance(i, row, policy, today=today):
            roll.old_rows.append(i)
        h = _household(row, area, head, policy, number=numbers[i], today=today)
        roll.households.append(h)
        for m in row.members:
            roll.members.append(_member(i, m, h, roll.row_of, cipher=cipher, today=today))
    return roll


def _village(i: int, row: HouseholdImportIn, area: Area | None, actor: Principal | str) -> Area:
    """The row's area: one in the caller's area, and a village."""
    if area is None or (isinstance(actor, Principal) and not actor.covers(area.code)):
        raise AreaNotFound(f"household {i}: area {row.area_code} does not exist in your area", index=i)
    if area.level != "village":
        raise InvalidInput(f"household {i}: {area.code} is a {area.level}, not a village", index=i)
    return area


def _head(i: int, row: HouseholdImportIn) -> MemberIn:
    heads = [m for m in row.members if m.relation is Relation.HEAD]
    if len(heads) != 1:
        raise InvalidMember(f"household {i}: exactly one head needed, {len(heads)} given", index=i)
    return heads[0]


def _registered_before_tolerance(
    i: int, row: HouseholdImportIn, policy: RegistryPolicy, *, today: date
) -> bool:
    """Refuse a registration date after today; True when it lies further back than the tolerance."""
    if row.registered_on > today:
        raise DateInFuture(
            f"household {i}: registered_on {row.registered_on} lies after today ({today}, China date)",
            detail_zh=f"第{i}户：登记日期 {row.registered_on} 晚于今天（北京时间 {today}）",
            field="registered_on",
            index=i,
        )
    return (today - row.registered_on).days > policy.backdate_tolerance_days


def _household(
    row: HouseholdImportIn, area: Area, head: MemberIn, policy: RegistryPolicy, *, number: int, today: date
) -> Household:
    """The row's household, registered, with batches from the policy's batch set."""
    return Household(
        id=uuid.uuid4(),
        household_number=row.household_number or f"{area.code}{number:08d}",
        area_code=area.code,
        status=HouseholdStatus.REGISTERED.value,
        year=row.year,
        head_name=head.name,
        member_count=len(row.members),
        poverty_causes=list(dict.fromkeys(c.value for c in row.poverty_causes or [])),
        batches=check_batches(row.batches or [], allowed=policy.batches, batch_set=policy.batch_set),
        labour_willing=row.labour_willing,
        dibao=bool(row.dibao),
        five_guarantee=bool(row.five_guarantee),
        basic_needs={k.value: v for k, v in (row.basic_needs or {}).items()},
        income_channels=list(row.income_channels or []),
        plan=row.plan,
        registered_on=row.registered_on,
        version=1,
        created_on=today,
    )


def _member(
    i: int, m: MemberIn, h: Household, row_of: dict[str, int], *, cipher: PiiCipher, today: date
) -> Member:
    """One member of row ``i`` (ID rules), who may appear only once in the whole import."""
    try:
        member = new_member(m, cipher=cipher, today=today, household_id=h.id, reason="import")
    except InvalidMember as exc:
        raise InvalidMember(f"household {i}: {exc.detail}", index=i, **exc.extensions) from exc
    if member.resident_id_hash in row_of:
        raise InvalidMember(
            f"household {i}: a person already appears in household {row_of[member.resident_id_hash]} "
            "of this import",
            index=i,
        )
    row_of[member.resident_id_hash] = i
    return member


def _check_old_roll(roll: _Roll, *, source_roll: str | None, reason: str | None) -> None:
    """An old roll (rows registered before the tolerance) names its source roll and a reason."""
    missing = [name for name, value in (("source_roll", source_roll), ("reason", reason)) if not value]
    if roll.old_rows and missing:
        raise LateEntryRefused(
            f"{len(roll.old_rows)} household(s) were registered more than the tolerated days before today: "
            "importing an old roll needs its source_roll and a reason",
            detail_zh=f"有{len(roll.old_rows)}户的登记日期早于允许的补录天数：导入旧花名册须填写来源花名册（source_roll）和理由（reason）",
            field="registered_on",
            rows=roll.old_rows[:20],
            missing=missing,
        )


async def _publish_registered(session: AsyncSession, roll: _Roll) -> None:
    """Each household's registered event, with its own members."""
    by_household: dict[uuid.UUID, list[Member]] = defaultdict(list)
    for row_member in roll.members:
        by_household[row_member.household_id].append(row_member)
    for h in roll.households:
        await events.registered(session, h, by_household[h.id], origin="import")


def _counter_deltas(households: list[Household]) -> list[CounterDelta]:
    """The roll-up counters' deltas of the whole import, for one upsert: each household's status,
    causes and batches, and the yearly entries per (village, year)."""
    deltas: list[CounterDelta] = []
    flows: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for h in households:
        deltas += counter_deltas(
            None,
            Snapshot(
                h.area_code,
                HouseholdStatus.REGISTERED,
                h.member_count,
                tuple(h.poverty_causes),
                tuple(h.batches),
            ),
        )
        flows[(h.area_code, h.year)][1] += h.member_count
        flows[(h.area_code, h.year)][0] += 1
    for (code, year), (n, persons) in flows.items():
        deltas += [
            CounterDelta(d.area_prefix, d.dimension, d.key, n, persons)
            for d in flow_deltas(code, kind="entries", year=year, persons=persons)
        ]
    return deltas
