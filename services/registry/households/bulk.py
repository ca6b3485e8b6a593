"""Bulk import of already-registered households (provincial platform rolls, large fixtures).

Same checks and refusals as one-by-one creation (ID rules, one head, batch set, one person one
household), but set-based: areas and policies are read once per import and the rows checked in
Python (the rules that name a row; members' IDs are encrypted and blind-indexed here), then
COPYed straight into household and member, and each household's registered event (built with its
rows: the envelope households.repository.registered_events_sql writes) into the outbox; one
person, one household is the unique index of held identities, and when it refuses someone the
rows go to temporary staging tables instead, where one join on the blind index names everyone
another household holds; the import gets one audit record listing every household (a chain of its
own, keyed by the import's id), and the counters one aggregated update, last.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from json.encoder import encode_basestring
from operator import attrgetter, itemgetter
from typing import Any, NoReturn

from asyncpg.pgproto.pgproto import UUID as FastUUID
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.repository import AreaRepository
from services.registry.conflicts import service as conflict_service
from services.registry.conflicts.rules import ClaimKind
from services.registry.conflicts.service import Claim
from services.registry.errors import (
    AreaNotFound,
    HouseholdNumberTaken,
    InvalidMember,
    PersonActiveElsewhere,
    PersonInAnotherHousehold,
    PolicyMissing,
)
from services.registry.households import events
from services.registry.households.repository import ChunkRecords, HouseholdRepository
from services.registry.households.rules import check_batches, check_member_identity, check_plan_year
from services.registry.households.schemas import HouseholdImportIn, MemberIn
from services.registry.households.service import refuse_held_identities, state
from services.registry.models import Area, Household, Member
from services.registry.policies import service as policy_service
from services.registry.policies.rules import RegistryPolicy
from services.registry.rollups.repository import RollupRepository
from services.registry.rollups.rules import (
    CounterDelta,
    Snapshot,
    area_prefixes,
    counter_deltas,
    flow_deltas,
)
from services.registry.vocabulary import HouseholdStatus, Relation
from shared import audit
from shared.auth import Principal
from shared.backdating import DateInFuture, LateEntryRefused
from shared.clock import clock
from shared.context import get_request_id
from shared.errors import InvalidInput
from shared.pii import PiiCipher
from shared.tracing import event_trace_context

CHUNK = 1_000  # rows built in Python while the database moves the previous chunk into place
SLICE = 50  # rows built between two turns of the event loop (~1.5 ms): the COPY in flight goes on
# The first chunk is smaller: the database has nothing to do until it is built (a full chunk's
# build is ~28 ms of a call's ~380 ms at 5,000 households), the rest keep its per-chunk costs low.
FIRST_CHUNK = 200
# Each chunk up to GROWTH times the one before (200, 400, 800, 1,000 …): the database moves a
# household in about twice a build's time, so the next chunk is built by the time it is free; a
# 1,000-row chunk after the 200-row first kept it waiting ~15 ms a call.
GROWTH = 2

# the envelope's time as CloudEvent (shared.events.envelope) writes it
EVENT_TIME: TypeAdapter[datetime] = TypeAdapter(datetime)

# What the import writes of a household and a member, in the order of the COPY records the builder
# makes (the other columns stay NULL). A member's ciphertext comes last: a chunk's IDs are
# encrypted together once its rows are checked.
HOUSEHOLD_COLUMNS = (
    "id", "household_number", "area_code", "status", "year", "head_name", "member_count",
    "poverty_causes", "batches", "labour_willing", "dibao", "five_guarantee", "basic_needs",
    "income_channels", "plan", "registered_on", "version", "created_on",
)  # fmt: skip
MEMBER_COLUMNS = (
    "id", "household_id", "name", "resident_id_hash", "resident_id_masked", "birth_date", "sex",
    "relation", "schooling", "health", "disability", "labour_capacity", "in_school", "migrant_work",
    "active", "holds_identity", "joined_reason", "resident_id_cipher",
)  # fmt: skip
_ID, _AREA_CODE = HOUSEHOLD_COLUMNS.index("id"), HOUSEHOLD_COLUMNS.index("area_code")
_CAUSES, _BATCHES = HOUSEHOLD_COLUMNS.index("poverty_causes"), HOUSEHOLD_COLUMNS.index("batches")
_HASH = MEMBER_COLUMNS.index("resident_id_hash")
Record = tuple[Any, ...]  # a COPY record
_NUMBER, _YEAR = HOUSEHOLD_COLUMNS.index("household_number"), HOUSEHOLD_COLUMNS.index("year")
_HEAD_NAME, _DIBAO = HOUSEHOLD_COLUMNS.index("head_name"), HOUSEHOLD_COLUMNS.index("dibao")
_MEMBER_COUNT = HOUSEHOLD_COLUMNS.index("member_count")
_REGISTERED_ON = HOUSEHOLD_COLUMNS.index("registered_on")
OUTBOX_COLUMNS = ("id", "type", "subject", "envelope", "request_id")  # a registered event's record
_SUBJECT = itemgetter(OUTBOX_COLUMNS.index("subject"))  # its household's id, as text


async def _refuse_held(
    session: AsyncSession,
    actor: Principal | str,
    area_codes: list[str],
    roll: _Roll,
    hashes: list[str],
    *,
    today: date,
) -> None:
    """One person, one household (``hashes``: the staged people already held): holders inside the
    caller's area are named as for one household; when all lie outside it, a conflict per person
    goes to the officer covering both areas and the import is refused with the conflicts' ids and
    rows only (households.service.refuse_held_identities)."""
    held = await HouseholdRepository(session).identity_holder_members(hashes)
    if not held:
        return
    if not isinstance(actor, Principal) or any(actor.covers(h.area_code) for _, h in held):
        await refuse_held_identities(session, [m.resident_id_hash for m, _ in held])
        return  # not reached: it raises for any holder
    wanted = set(hashes)
    entered = {
        m[_HASH]: dict(zip(MEMBER_COLUMNS, m, strict=True)) for m in roll.staged if m[_HASH] in wanted
    }
    by_row: dict[int, list[tuple[Member, Member, Household]]] = defaultdict(list)
    for m, h in held:
        by_row[roll.row_of[m.resident_id_hash]].append((Member(**entered[m.resident_id_hash]), m, h))
    ids: list[str] = []
    for i, pairs in sorted(by_row.items()):
        claim = Claim(ClaimKind.IMPORT, area_codes[i], index=i)
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
    """What the import keeps of its rows, built and checked row by row before anything is written,
    once their chunk's COPY records (HOUSEHOLD_COLUMNS, MEMBER_COLUMNS) are let go: a chunk's
    records go once moved into place (their memory freed while the database moves the next chunk,
    not all at once after the last), staged members stay (the refusal names who they are)."""

    household_ids: list[str] = field(default_factory=list)  # in row order, as the audit lists them
    first: Record | None = None  # the first household (the audit shows it)
    persons: int = 0
    staged: list[Sequence[Any]] = field(default_factory=list)  # members of the chunks staged (_refuse_held)
    row_of: dict[str, int] = field(default_factory=dict)  # a person's keyed hash -> their row
    old_rows: list[int] = field(default_factory=list)  # rows registered before the tolerance
    numbers: set[str] = field(default_factory=set)  # household numbers the rows brought
    # (area, year, causes, batches) -> [households, persons]: the counters' input, aggregated
    groups: dict[tuple[str, int, tuple[str, ...], tuple[str, ...]], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )


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
    source roll and give a reason (both kept in the import's audit record). ``rows`` are handed
    over: emptied once every row is built (the request's models freed while the last chunk moves).

    Steps, in chunks of CHUNK rows: build and check the rows (Python, SLICE rows between turns of the
    event loop: the ID rules, encryption and blind index of members), COPY them straight into household
    and member with their households' registered events — the database works on one chunk (a task in
    flight) while Python builds the next. One person, one household is the unique index of held
    identities: when it refuses a member, the moves are undone (a refusal keeps only its conflicts) and
    that chunk and the rest are COPYed into staging only, to find every person another household holds
    (one join on the blind index). Then: refuse an old roll without its source, refuse people held
    elsewhere, write the import's audit record (its own chain, keyed by a fresh import id); the shared
    counters last (households.service.track). The refusals, and which one wins, are the row-by-row path's."""
    import_id = uuid.uuid4()
    repo = HouseholdRepository(session)
    build = await _Builder.prepare(session, actor, rows, cipher=cipher, today=today)
    moved = await session.begin_nested()
    held: list[str] | None = None  # once a person held elsewhere is met: all the roll's such people
    build.events = _Events.of(
        event_type=events.REGISTERED,
        time=EVENT_TIME.dump_python(clock.now(), mode="json"),
        request_id=get_request_id(),
        trace=event_trace_context(),
    )
    copying: asyncio.Future[bool] | None = None  # the last chunk built, being COPYed into place
    last: ChunkRecords | None = None  # that chunk

    async def settle(chunk: ChunkRecords, placed: bool | None) -> None:
        """After a chunk's COPY into place (``placed``; None: none tried, a person was held before):
        once a person held elsewhere is met, the moves are undone (a refusal keeps only its
        conflicts), and this chunk and the rest are staged to name everyone held."""
        nonlocal held
        if placed is False:
            await moved.rollback()
            await repo.create_staging()
            held = []
        if held is not None:
            await repo.stage_chunk(chunk)
            build.roll.staged += chunk.members
            held += await repo.staged_identities_held()

    try:
        for start, stop in _chunk_bounds(len(rows)):
            households, members, outbox = await build.chunk(start, stop)  # while the last one is COPYed
            if copying is not None and last is not None:
                placed = await copying
                copying = None
                await settle(last, placed)
            chunk = ChunkRecords(households, HOUSEHOLD_COLUMNS, members, MEMBER_COLUMNS)
            if held is None:
                last = chunk
                copying = asyncio.ensure_future(repo.copy_into_place(chunk, outbox, OUTBOX_COLUMNS))
                await asyncio.sleep(0)  # its COPY sent now, not after the next chunk's first slice
            else:
                await settle(chunk, None)
        # every row built: what is left to read of them kept, and their models let go while the
        # database moves the last chunk (~2 µs a household of freeing, after the call else), SLICE
        # rows between turns of the event loop, as they were built: the COPY goes on meanwhile
        earliest, area_codes = min(r.registered_on for r in rows), [r.area_code for r in rows]
        while rows:
            del rows[-SLICE:]
            await asyncio.sleep(0)
        # the counters' deltas worked out meanwhile too (~3 ms of a 5,000-household call)
        deltas = registered_counter_deltas((*k, n, persons) for k, (n, persons) in build.roll.groups.items())
        if copying is not None and last is not None:
            placed = await copying
            copying = None
            await settle(last, placed)
    finally:
        if copying is not None:  # a row refused while the last chunk was COPYed: let it end first
            await asyncio.wait([copying])
            if not copying.cancelled():
                copying.exception()  # retrieved: the refusal raised is the row's
    roll = build.roll
    _check_old_roll(roll, source_roll=source_roll, reason=reason)
    if held is not None:
        await _refuse_held(session, actor, area_codes, roll, held, today=today)
        # not reached unless the holder let the person go between the refusal and the look-up
        raise PersonInAnotherHousehold(
            "a person of this roll was held by another household while it was imported; nothing was "
            "imported: send the roll again",
            detail_zh="导入期间花名册中有人被另一户登记；本次未导入任何户，请重新提交",
        )
    await moved.commit()
    assert roll.first is not None  # a roll has a household at least (ImportIn)
    await audit.record(
        session,
        actor,
        "household.imported",
        ("household_import", str(import_id)),
        after={
            "import_id": str(import_id),
            "households": roll.household_ids,
            "first": state(_household_of(roll.first)),
            "source_roll": source_roll,
            "reason": reason,
            "registered_before_tolerance": len(roll.old_rows),
            "earliest_registered_on": earliest.isoformat(),
        },
    )
    await RollupRepository(session).apply(deltas)
    return len(roll.household_ids), roll.persons


def _chunk_bounds(n: int) -> list[tuple[int, int]]:
    """The chunks of ``n`` rows as (start, stop): FIRST_CHUNK rows, each next one GROWTH times
    the one before, up to CHUNK rows."""
    bounds, start, size = [], 0, min(FIRST_CHUNK, CHUNK)
    while start < n:
        bounds.append((start, min(n, start + size)))
        start, size = start + size, min(CHUNK, GROWTH * size)
    return bounds


@dataclass(slots=True)
class _Builder:
    """Builds and checks the rows chunk by chunk, in row order (so the first refused row is the
    one refused, as row by row); what it reads from the database is read before, once."""

    actor: Principal | str
    rows: list[HouseholdImportIn]
    cipher: PiiCipher
    today: date
    areas: dict[str, Area]
    policies: dict[tuple[str, int], RegistryPolicy | PolicyMissing]
    numbers: list[int]
    in_use: set[str]  # numbers the rows bring that other households already have
    roll: _Roll = field(default_factory=lambda: _Roll())
    events: _Events | None = None  # set before the first chunk
    born_on: dict[str, date | None] = field(default_factory=dict)  # birth dates parsed (_identity)
    villages: frozenset[str] = field(init=False)  # the areas a row may name: villages in the actor's

    def __post_init__(self) -> None:
        self.villages = frozenset(
            code
            for code, area in self.areas.items()
            if area.level == "village" and (not isinstance(self.actor, Principal) or self.actor.covers(code))
        )

    @classmethod
    async def prepare(
        cls,
        session: AsyncSession,
        actor: Principal | str,
        rows: list[HouseholdImportIn],
        *,
        cipher: PiiCipher,
        today: date,
    ) -> _Builder:
        """Areas read once, household numbers drawn in one statement, the policy of every (village,
        year) resolved once; a missing policy is kept and refused at the first row that needs it."""
        pairs = {(r.area_code, r.year) for r in rows}  # a few hundred for thousands of rows
        areas = {a.code: a for a in await AreaRepository(session).get_many({code for code, _ in pairs})}
        policies = await policy_service.resolve_many(
            session=session,
            pairs=(
                (code, year)
                for code, year in pairs
                if (area := areas.get(code)) is not None and area.level == "village"
            ),
        )
        repo = HouseholdRepository(session)
        numbers = await repo.next_numbers(len(rows))
        in_use = await repo.numbers_in_use({r.household_number for r in rows if r.household_number})
        return cls(actor, rows, cipher, today, areas, policies, numbers, in_use)

    async def chunk(self, start: int, stop: int) -> tuple[list[Record], list[Record], list[Record]]:
        """Rows ``start`` … ``stop - 1`` checked and turned into households, members and each
        household's registered event (outbox records), SLICE rows at a time with a turn of the
        event loop between them: the COPY of the previous chunk, in flight meanwhile, goes on
        feeding the database (its next statement sent as soon as the last one ends) — the
        database's work on one chunk and Python's on the next overlap on two cores, in one thread
        (a worker thread's build held the GIL for up to 5 ms at each of the COPY's round trips)."""
        households: list[Record] = []
        members: list[Record] = []
        outbox: list[Record] = []
        for at in range(start, stop, SLICE):
            self.rows_of(at, min(stop, at + SLICE), households, members, outbox)
            await asyncio.sleep(0)
        roll = self.roll
        if roll.first is None and households:
            roll.first = households[0]
        roll.household_ids += map(_SUBJECT, outbox)
        roll.persons += len(members)
        return households, members, outbox

    def rows_of(
        self, start: int, stop: int, households: list[Record], members: list[Record], outbox: list[Record]
    ) -> None:
        """Rows ``start`` … ``stop - 1`` checked (area, one head, batches, registration date,
        members' IDs), their households, members and registered events (outbox records) added to
        ``households``, ``members`` and ``outbox``; pure.
        Each member's ID is encrypted as it is checked (the nonces of the rows drawn at once): a
        refused row leaves only ciphertexts nobody keeps."""
        roll, today = self.roll, self.today
        villages, events, born_on = self.villages, self.events, self.born_on
        assert events is not None
        rows = self.rows[start:stop]
        persons = sum(map(len, map(_MEMBERS_OF, rows)))
        ids = iter(_uuid7s(2 * len(rows) + persons))
        seal, keyed_hash = self.cipher.sealer(persons), self.cipher.keyed_hash_of
        for i, row in enumerate(rows, start):
            try:
                check_plan_year(row.year, today=today)
            except InvalidInput as exc:  # registration's rule and words, for this row
                raise InvalidInput(
                    f"household {i}: {exc.detail}",
                    detail_zh=f"第{i + 1}户：{exc.detail_zh}",
                    index=i,
                    **exc.extensions,
                ) from exc
            code = row.area_code
            if code not in villages:
                _refuse_area(i, row, self.areas.get(code), self.actor)
            head = _head(i, row)
            _check_number(i, row.household_number, self.in_use, roll.numbers)
            policy = self.policies[(code, row.year)]
            if isinstance(policy, PolicyMissing):
                raise policy
            if _registered_before_tolerance(i, row, policy, today=today):
                roll.old_rows.append(i)
            h = _household(row, code, head, policy, next(ids), number=self.numbers[i], today=today)
            households.append(h)
            own: list[str] = []
            for m in row.members:
                member_id = next(ids)
                members.append(
                    _member(
                        i, m, member_id, h[_ID], roll.row_of, seal, keyed_hash, today=today, born_on=born_on
                    )
                )
                own.append(str(member_id))
            outbox.append(events.record(next(ids), h, own))
            group = roll.groups[(code, row.year, tuple(h[_CAUSES]), tuple(h[_BATCHES]))]
            group[0] += 1
            group[1] += len(row.members)


@dataclass(frozen=True, slots=True)
class _Events:
    """The registered events of one import: what they share, and each one's outbox record."""

    type: str
    request_id: str | None
    template: str  # the envelope as JSON text, each event's values left as %-placeholders

    @classmethod
    def of(cls, *, event_type: str, time: str, request_id: str | None, trace: dict[str, str]) -> _Events:
        """The envelope households.repository.registered_events_sql writes (CloudEvents: no null
        attribute; the trace's), its event-specific part a template."""
        shared: dict[str, Any] = {
            "specversion": "1.0",
            "source": "jingzhun/registry",
            "type": event_type,
            "time": time,
            "datacontenttype": "application/json",
        }
        if request_id is not None:
            shared["requestid"] = request_id
        head = json.dumps(shared | trace, ensure_ascii=False, separators=(",", ":"))[:-1].replace("%", "%%")
        return cls(
            event_type,
            request_id,
            head + ',"id":"%s","subject":"%s","data":{"household_id":"%s","household_number":%s,'
            '"area_code":%s,"year":%d,"member_count":%d,"member_ids":[%s],"head_name_masked":%s,'
            '"poverty_causes":[%s],"batches":[%s],"dibao":%s,"registered_on":"%s","origin":"import"}}',
        )

    def record(self, event_id: uuid.UUID, h: Record, member_ids: list[str]) -> Record:
        """The outbox record (OUTBOX_COLUMNS) of household ``h``'s event: the HouseholdRegistered
        data that SQL builds (head name masked as it does), as JSON text for COPY; strings a row
        brings are JSON-escaped, ids and codes too."""
        hid, name = str(h[_ID]), h[_HEAD_NAME]
        envelope = self.template % (
            event_id,
            hid,
            hid,
            _quoted(h[_NUMBER]),
            _quoted(h[_AREA_CODE]),
            h[_YEAR],
            h[_MEMBER_COUNT],
            '"' + '","'.join(member_ids) + '"' if member_ids else "",  # ids: no escape needed
            _quoted(name[:1] + "*" * max(1, len(name) - 1)),
            ",".join(map(_quoted, h[_CAUSES])),
            ",".join(map(_quoted, h[_BATCHES])),
            "true" if h[_DIBAO] else "false",
            h[_REGISTERED_ON].isoformat(),
        )
        return event_id, self.type, hid, envelope, self.request_id


_quoted = encode_basestring  # a string as a JSON string (quotes and escapes; C)
_MEMBERS_OF = attrgetter("members")


_REGISTERED = HouseholdStatus.REGISTERED.value
_HEAD = Relation.HEAD
_RFC4122 = bytes((b & 0x3F) | 0x80 for b in range(256))  # a UUID's variant bits
# a version-7 UUID's bytes 6 and 7 (version nibble, 12 bits rand_a) holding a counter: RFC 9562's
# method 1, the ids of one draw increasing in the order they are handed out
_V7_COUNTER = 1 << 12
_V7_HIGH = bytes(0x70 | k >> 8 for k in range(_V7_COUNTER))
_V7_LOW = bytes(k & 0xFF for k in range(_V7_COUNTER))


def _uuid7s(n: int) -> list[uuid.UUID]:
    """``n`` time-ordered (version 7, RFC 9562) UUIDs: this millisecond, a counter, and 62 random bits
    from one read of the OS's random source; as asyncpg's own UUID type (a uuid.UUID that COPY
    writes without converting; ``uuid.uuid4()`` costs a system call and a pure-Python object each,
    ~30 µs a household of three). Increasing ids land on the right-hand pages of the primary keys'
    (and member's household) indexes, where random ones touch a page anywhere in them: about a
    microsecond less of PostgreSQL's work a row, more as the tables grow (tests/bench/bulk_import.py)."""
    raw = bytearray(os.urandom(16 * n))
    stamp = time.time_ns() // 1_000_000
    for at, byte in enumerate(stamp.to_bytes(6, "big")):
        raw[at::16] = bytes((byte,)) * n
    for start in range(0, n, _V7_COUNTER):  # more than 4,096 at once: the counter starts again
        stop = min(n, start + _V7_COUNTER)
        raw[16 * start + 6 : 16 * stop : 16] = _V7_HIGH[: stop - start]
        raw[16 * start + 7 : 16 * stop : 16] = _V7_LOW[: stop - start]
    raw[8::16] = raw[8::16].translate(_RFC4122)
    data = bytes(raw)
    return [FastUUID(data[k : k + 16]) for k in range(0, 16 * n, 16)]


def _refuse_area(i: int, row: HouseholdImportIn, area: Area | None, actor: Principal | str) -> NoReturn:
    """Refuse the row's area (one not among the builder's villages): not in the caller's area, or
    not a village."""
    if area is None or (isinstance(actor, Principal) and not actor.covers(area.code)):
        raise AreaNotFound(f"household {i}: area {row.area_code} does not exist in your area", index=i)
    raise InvalidInput(f"household {i}: {area.code} is a {area.level}, not a village", index=i)


def _check_number(i: int, number: str | None, in_use: set[str], seen: set[str]) -> None:
    """A household number the row brings is free: no other household has it, no row above."""
    if not number:
        return
    if number in in_use or number in seen:
        where, where_zh = (
            ("another household has it", "已有户使用")
            if number in in_use
            else ("a row above has it", "文件中前面的行已使用")
        )
        raise HouseholdNumberTaken(
            f"household {i}: household number {number} is already in use ({where})",
            detail_zh=f"第{i + 1}户的户编号 {number} 已被使用（{where_zh}）",
            index=i,
            household_number=number,
        )
    seen.add(number)


def _head(i: int, row: HouseholdImportIn) -> MemberIn:
    heads = [m for m in row.members if m.relation is _HEAD]
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
            detail_zh=f"第{i + 1}户：登记日期 {row.registered_on} 晚于今天（北京时间 {today}）",
            field="registered_on",
            index=i,
        )
    return (today - row.registered_on).days > policy.backdate_tolerance_days


def _household(
    row: HouseholdImportIn,
    area_code: str,
    head: MemberIn,
    policy: RegistryPolicy,
    household_id: uuid.UUID,
    *,
    number: int,
    today: date,
) -> tuple[Any, ...]:
    """The row's household (HOUSEHOLD_COLUMNS), registered, with batches from the policy's batch set."""
    needs, causes, batches = row.basic_needs, row.poverty_causes, row.batches
    return (
        household_id,
        row.household_number or f"{area_code}{number:08d}",
        area_code,
        _REGISTERED,
        row.year,
        head.name,
        len(row.members),
        list(dict.fromkeys([c._value_ for c in causes])) if causes else [],
        check_batches(batches, allowed=policy.batches, batch_set=policy.batch_set) if batches else [],
        row.labour_willing,
        bool(row.dibao),
        bool(row.five_guarantee),
        json.dumps({k.value: v for k, v in needs.items()}) if needs else "{}",  # COPY takes JSON as text
        list(row.income_channels or []),
        row.plan,
        row.registered_on,
        1,
        today,
    )


def _member(
    i: int,
    m: MemberIn,
    member_id: uuid.UUID,
    household_id: uuid.UUID,
    row_of: dict[str, int],
    seal: Callable[[bytes], str],
    keyed_hash: Callable[[bytes], str],
    *,
    today: date,
    born_on: dict[str, date | None],
) -> tuple[Any, ...]:
    """One member of row ``i`` (ID rules; MEMBER_COLUMNS, the ID encrypted by ``seal`` and
    blind-indexed by ``keyed_hash``: PiiCipher.sealer, keyed_hash_of); the same person may appear
    only once in the whole import. The columns are the ones households.service.member_values gives
    a member the row-by-row path creates. ``born_on``: the birth dates (YYYYMMDD) an ID of this
    import has named, None when not a date in range."""
    number = m.resident_id
    parsed = _identity(number, m.birth_date, m.sex, today, born_on)
    if parsed is None:  # refused: in check_member_identity's words, which the fast path mirrors
        try:
            checked = check_member_identity(number, birth_date=m.birth_date, sex=m.sex, today=today)
        except InvalidMember as exc:
            raise InvalidMember(f"household {i}: {exc.detail}", index=i, **exc.extensions) from exc
        # not reached: it refuses them all
        parsed = checked.number, checked.number.encode(), checked.birth_date, checked.sex
    number, raw, birth_date, sex = parsed
    hsh = keyed_hash(raw)
    if hsh in row_of:
        raise InvalidMember(
            f"household {i}: a person already appears in household {row_of[hsh]} of this import",
            index=i,
        )
    row_of[hsh] = i
    return (
        member_id,
        household_id,
        m.name,
        hsh,
        number[:6] + "********" + number[14:],  # mask_resident_id of 18 characters
        birth_date,
        sex,
        m.relation._value_,
        m.schooling,
        m.health,
        m.disability,
        m.labour_capacity._value_,
        m.in_school,
        m.migrant_work,
        True,
        True,
        "import",
        seal(raw),
    )


# GB 11643's check character, as shared.resident_id: the digits weighted 2^17 … 2^1 modulo 11 — the
# 17 digits read as a number in base 13 (13 = 2 modulo 11), times 2, modulo 11
_CHECKS = b"10X98765432"
_ODD = frozenset("13579")


def _identity(
    number: str, birth_date: date | None, sex: str | None, today: date, born_on: dict[str, date | None]
) -> tuple[str, bytes, date, str] | None:
    """(ID, its bytes, birth date, sex) of a resident ID that check_member_identity accepts with the declared
    birth date and sex, or None where it would refuse (it then says why): the same rules (shared.
    resident_id.validate: 17 digits and a digit or X, check character, a real birth date from 1880
    to today), without its per-call objects, and each birth date parsed once an import."""
    n = number.strip().upper()
    raw = n.encode()
    if len(raw) != 18 or not raw[:17].isdigit():
        return None
    if _CHECKS[2 * int(raw[:17], 13) % 11] != raw[17]:  # 17 ASCII digits: no sign, space or _
        return None
    key = n[6:14]
    born = born_on.get(key, _UNSEEN)
    if born is _UNSEEN:
        born = born_on[key] = _birth_date(key, today)
    if not isinstance(born, date):  # None: not a date from 1880 to today
        return None
    parsed_sex = "male" if n[16] in _ODD else "female"
    if (birth_date is not None and birth_date != born) or (sex is not None and sex != parsed_sex):
        return None
    return n, raw, born, parsed_sex


_UNSEEN = object()


def _birth_date(yyyymmdd: str, today: date) -> date | None:
    """The birth date a resident ID names, None when not a date from 1880 to ``today``."""
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None
    return None if born.year < 1880 or born > today else born


def _household_of(record: Sequence[Any]) -> Household:
    """The household of a COPY record (its JSON as text, decoded)."""
    values = dict(zip(HOUSEHOLD_COLUMNS, record, strict=True))
    return Household(**values | {"basic_needs": json.loads(values["basic_needs"])})


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


def registered_counter_deltas(
    groups: Iterable[tuple[str, int, Sequence[str], Sequence[str], int, int]],
) -> list[CounterDelta]:
    """The roll-up counters' deltas of households registered in bulk, for one upsert, from their
    groups ``(area, year, causes, batches, households, persons)``: status, causes and batches, and
    the yearly entries per (village, year) — each counter once, summed over the groups (the sums
    the upsert adds). The rules' deltas are worked out once per (causes, batches) and the sums
    spread onto an area's levels once per area, not per group: a county's call of 5,000 households
    can hold thousands of groups (at 2,500, ~57 µs a household the rules' way per group, ~2 now)."""
    cells: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, str, int]]] = {}
    # summed per (area, counter) first, then onto each of the area's levels (province … village)
    by_area: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for area_code, year, causes, batches, n, persons in groups:
        shape = (tuple(causes), tuple(batches))
        if (unit := cells.get(shape)) is None:
            # one household of one person: each cell's persons is how often the household counts in it
            snap = Snapshot(area_code, HouseholdStatus.REGISTERED, 1, *shape)
            top = area_prefixes(area_code)[0]
            unit = cells[shape] = [
                (d.dimension, d.key, d.persons) for d in counter_deltas(None, snap) if d.area_prefix == top
            ]
        for dimension, key, times in unit:
            cell = by_area[(area_code, dimension, key)]
            cell[0] += n
            cell[1] += times * persons
        cell = by_area[(area_code, "", str(year))]  # the year's entries (flow_deltas)
        cell[0] += n
        cell[1] += persons
    merged: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    prefixes: dict[str, list[str]] = {}
    for (area_code, dimension, key), (n, persons) in by_area.items():
        if dimension:
            if (own := prefixes.get(area_code)) is None:
                own = prefixes[area_code] = area_prefixes(area_code)
            targets = [(prefix, dimension, key) for prefix in own]
        else:
            targets = [
                (d.area_prefix, d.dimension, d.key)
                for d in flow_deltas(area_code, kind="entries", year=int(key), persons=1)
            ]
        for target in targets:
            cell = merged[target]
            cell[0] += n
            cell[1] += persons
    return [CounterDelta(p, dim, key, h, persons) for (p, dim, key), (h, persons) in merged.items()]
