from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, Protocol, cast

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    ColumnElement,
    Integer,
    Row,
    String,
    Subquery,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import Insert, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from services.registry.area_exits.repository import EXITED_BY_YEAR
from services.registry.areas.repository import VILLAGE_POPULATION
from services.registry.models import (
    Area,
    AreaIncome,
    Household,
    IncomeRecord,
    Member,
    PolicyRecordRow,
    RollupCounter,
)
from services.registry.policies.repository import on_path_json, path_prefixes, records_from_json
from services.registry.policies.rules import PolicyRecord
from services.registry.rollups.rules import CounterDelta, DibaoFacts, IncomeFacts
from services.registry.rollups.villages import Region
from services.registry.vocabulary import POOR_STATUSES, HouseholdStatus
from shared.areas import AreaCode
from shared.bulk import unnest_insert, unnest_params
from shared.db import Write, like_prefix, read_rows, write_rows
from shared.pagination import decode_cursor, encode_cursor
from shared.repository import Repository, Slice, bad_cursor

VILLAGE_COUNTS = ("villages", "weak", "not_weak", "unknown", "no_threshold", "gap_fen")


class Counted(Protocol):
    """A counter row as a roll-up reads it (a ``RollupCounter``, or a :class:`CounterRow`)."""

    @property
    def dimension(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def households(self) -> int: ...
    @property
    def persons(self) -> int: ...


class CounterRow(NamedTuple):
    """A counter as a roll-up reads it (a named tuple: a dozen made on every roll-up read, at half
    a frozen dataclass's cost)."""

    dimension: str
    key: str
    households: int
    persons: int


_COUNTERS_OF = select(
    RollupCounter.dimension, RollupCounter.key, RollupCounter.households, RollupCounter.persons
).where(RollupCounter.area_prefix == bindparam("prefix", type_=String))


@dataclass(frozen=True, slots=True)
class AreaFacts:
    code: str
    name: str
    level: str
    rural_population: int | None


@dataclass(frozen=True, slots=True)
class RollupRead:
    """Everything one area's roll-up reads, from one statement (:meth:`RollupRepository.read`)."""

    area: AreaFacts
    counters: list[CounterRow]
    village_population: int | None  # the villages' sum, read only when the area has no figure
    policies: list[PolicyRecord]  # the records that may apply to the area (policy_service.resolve_from)
    exited: dict[str, dict[str, int]]  # kind -> {year: areas exited}, as exited_by_year gives it
    policies_text: str | None = None  # the records' text (records_from_json): what they resolve from

    @property
    def code(self) -> str:
        return self.area.code


_exited = EXITED_BY_YEAR.subquery("exited")
# The policy records that may apply to one area up to a year (on_path_json's), named by their rows'
# versions: each record's id (never reused) and xmin (the transaction that wrote this version of
# it), so a record changed, added or removed gives another name. A roll-up reads the name and takes
# the records' text (several KiB, built by PostgreSQL from every record on each read: most of the
# statement's time) from those it already read; only a new name reads the text (_POLICIES_READ).
# The rows are on_path_json's (the same conditions; tests/registry/integration/test_rollup_suppression.py).
_POLICIES_NAME = (
    select(
        func.json_agg(
            aggregate_order_by(
                func.json_build_array(
                    PolicyRecordRow.id, literal_column(f"{PolicyRecordRow.__tablename__}.xmin::text")
                ),
                PolicyRecordRow.id,
            )
        ).cast(Text)
    )
    .where(
        PolicyRecordRow.year <= bindparam("year", type_=Integer),
        PolicyRecordRow.area_prefix == any_(bindparam("policy_prefixes", type_=ARRAY(String))),
    )
    .scalar_subquery()
)

# One round trip for the roll-up: the area, its counters, the villages' population (only when the
# area has none), the policy records on the area's path (their name) and the verified area exits
# under it, the lists as JSON arrays. Four statements before (and two through the ORM), most of a
# roll-up's CPU.
_ROLLUP_READ = select(
    Area.code,
    Area.name,
    Area.level,
    Area.rural_population,
    case((Area.rural_population.is_(None), VILLAGE_POPULATION.scalar_subquery())).label("village_population"),
    select(
        func.json_agg(
            func.json_build_array(
                RollupCounter.dimension, RollupCounter.key, RollupCounter.households, RollupCounter.persons
            )
        )
    )
    .where(RollupCounter.area_prefix == bindparam("prefix", type_=String))
    .scalar_subquery()
    .label("counters"),
    select(func.json_agg(aggregate_order_by(func.json_build_array(*_exited.c), _exited.c.year)))
    .scalar_subquery()
    .label("exited"),
    _POLICIES_NAME.label("policies_name"),
).where(Area.code == bindparam("code", type_=String))

# On a name not seen yet: the records' text, with its name from the same snapshot.
_POLICIES_READ = select(_POLICIES_NAME.label("policies_name"), on_path_json().label("policies"))

# The records' texts by name (a process's few: the areas' paths and years it is asked about).
_POLICY_TEXTS: dict[str, str] = {}
POLICY_TEXTS_KEPT = 1024


_COUNTER_COLUMNS = ("area_prefix", "dimension", "key", "households", "persons")


@functools.cache
def _counter_upsert() -> Insert:
    """The counters' upsert, built once: one array per column, the same statement whatever the
    number of rows (a multi-row VALUES was built, keyed and compiled again for every write)."""
    stmt, _ = unnest_insert(cast(Table, RollupCounter.__table__), [dict.fromkeys(_COUNTER_COLUMNS)])
    return stmt.on_conflict_do_update(
        index_elements=[RollupCounter.area_prefix, RollupCounter.dimension, RollupCounter.key],
        set_={
            "households": RollupCounter.households + stmt.excluded.households,
            "persons": RollupCounter.persons + stmt.excluded.persons,
        },
    )


def counters_write(deltas: Sequence[CounterDelta]) -> Write | None:
    """The upsert adding ``deltas`` (None: they add nothing), not yet run (``RollupRepository.apply``
    runs it; a use case may send it with its other writes, ``shared.db.write_together``)."""
    merged: dict[tuple[str, str, str], list[int]] = {}
    for d in deltas:
        cell = merged.setdefault((d.area_prefix, d.dimension, d.key), [0, 0])
        cell[0] += d.households
        cell[1] += d.persons
    rows = [
        {"area_prefix": p, "dimension": dim, "key": k, "households": h, "persons": n}
        for (p, dim, k), (h, n) in sorted(merged.items())
        if h or n
    ]
    # inserted in this order (unnest WITH ORDINALITY): the rows are locked in key order
    return (_counter_upsert(), unnest_params(rows, _COUNTER_COLUMNS)) if rows else None


class RollupRepository(Repository[RollupCounter]):
    model = RollupCounter

    async def apply(self, deltas: Sequence[CounterDelta]) -> None:
        """Add the deltas in one statement; rows are touched in key order (no deadlock between writers)."""
        write = counters_write(deltas)
        if write is not None:
            await write_rows(self.session, *write)

    async def for_prefix(self, prefix: str) -> list[RollupCounter]:
        stmt = select(RollupCounter).where(RollupCounter.area_prefix == prefix)
        return list((await self.session.execute(stmt)).scalars())

    async def counters(self, prefix: str) -> list[CounterRow]:
        """The counters of one prefix as plain rows, on the read session's asyncpg connection
        (``read_rows``): for the roll-up read (a ``ReadSessionDep`` route), no ORM objects."""
        rows = await read_rows(self.session, _COUNTERS_OF, {"prefix": prefix})
        return [CounterRow(r["dimension"], r["key"], r["households"], r["persons"]) for r in rows]

    async def read(self, code: str, year: int) -> RollupRead | None:
        """The area ``code`` (None: no such area) and what its roll-up for ``year`` reads."""
        prefix = AreaCode.parse(code).prefix
        on_path = {"year": year, "policy_prefixes": path_prefixes(code)}
        area = {"code": code, "prefix": prefix, "pattern": like_prefix(prefix)}
        rows = await read_rows(self.session, _ROLLUP_READ, area | on_path)
        if not rows:
            return None
        r = rows[0]
        name = r["policies_name"]
        if name is None:  # no record on the area's path
            text = None
        elif name in _POLICY_TEXTS:
            text = _POLICY_TEXTS[name]
        else:
            found = (await read_rows(self.session, _POLICIES_READ, on_path))[0]
            name, text = found["policies_name"], found["policies"]  # changed meanwhile: the newer
            if name is not None:
                if len(_POLICY_TEXTS) >= POLICY_TEXTS_KEPT:
                    _POLICY_TEXTS.clear()
                _POLICY_TEXTS[name] = text
        exited: dict[str, dict[str, int]] = {"village": {}, "county": {}}
        for kind, exit_year, n in r["exited"] or ():
            exited.setdefault(kind, {})[str(exit_year)] = int(n)
        population = r["village_population"]
        return RollupRead(
            area=AreaFacts(r["code"], r["name"], r["level"], r["rural_population"]),
            counters=[CounterRow(*c) for c in r["counters"] or ()],
            village_population=int(population) if population is not None else None,
            policies=list(records_from_json(text)),
            exited=exited,
            policies_text=text,
        )

    async def for_prefixes(self, prefixes: Sequence[str], dimension: str) -> list[RollupCounter]:
        stmt = select(RollupCounter).where(
            RollupCounter.area_prefix.in_(list(prefixes)), RollupCounter.dimension == dimension
        )
        return list((await self.session.execute(stmt)).scalars())


class WeakVillageRepository(Repository[Area]):
    """Villages under a prefix against the collective-income threshold of their region.

    The thresholds (a few regions, resolved from policy records in rollups.villages) enter the SQL
    as a CASE on the village code, so counting a province is one aggregate, not a Python scan. The
    comparison mirrors ``IncomeThreshold.is_weak``: under it, or at it when inclusive (以下).
    """

    model = Area

    def _villages(self, prefix: str, year: int, regions: Sequence[Region]) -> Subquery:
        def by_region(value: Callable[[Region], object], type_: TypeEngine[Any]) -> ColumnElement[Any]:
            *specific, own = regions  # longest prefix first; the area's own region last
            whens = [
                (Area.code.startswith(r.prefix, autoescape=True), literal(value(r), type_)) for r in specific
            ]
            fallback = literal(value(own), type_)
            return case(*whens, else_=fallback) if whens else fallback

        return (
            select(
                Area.code,
                Area.name,
                Area.parent_code,
                Area.poor_village,
                Area.old_area_village,
                Area.key_village,
                AreaIncome.collective_income_fen.label("income"),
                by_region(lambda r: r.threshold.income_fen if r.threshold else None, BigInteger()).label("t"),
                by_region(lambda r: r.threshold.inclusive if r.threshold else None, Boolean()).label("incl"),
            )
            .select_from(Area)
            .outerjoin(AreaIncome, and_(AreaIncome.area_code == Area.code, AreaIncome.year == year))
            .where(Area.level == "village", Area.code.startswith(prefix, autoescape=True))
            .subquery("v")
        )

    @staticmethod
    def _weak(v: Subquery) -> ColumnElement[bool]:
        income, t = v.c.income, v.c.t
        return and_(
            income.is_not(None), t.is_not(None), or_(income < t, and_(v.c.incl.is_(True), income == t))
        )

    async def counts(
        self, prefix: str, year: int, regions: Sequence[Region], *, child_length: int
    ) -> dict[str, dict[str, int]]:
        """Per child prefix: villages, weak, not_weak, unknown, no_threshold and the weak ones' gaps."""
        v = self._villages(prefix, year, regions)
        weak = self._weak(v)
        known = and_(v.c.t.is_not(None), v.c.income.is_not(None))
        gap = v.c.t - v.c.income + case((v.c.incl.is_(True), 1), else_=0)
        child = func.substr(v.c.code, 1, child_length)
        stmt = select(
            child.label("child"),
            func.count().label("villages"),
            func.count().filter(weak).label("weak"),
            func.count().filter(and_(known, not_(weak))).label("not_weak"),
            func.count().filter(and_(v.c.t.is_not(None), v.c.income.is_(None))).label("unknown"),
            func.count().filter(v.c.t.is_(None)).label("no_threshold"),
            func.coalesce(func.sum(gap).filter(weak), 0).label("gap_fen"),
        ).group_by(child)
        return {
            row.child: {k: int(getattr(row, k)) for k in VILLAGE_COUNTS}
            for row in (await self.session.execute(stmt)).all()
        }

    async def listed(
        self, prefix: str, year: int, regions: Sequence[Region], *, cursor: str | None, limit: int
    ) -> Slice[Row[Any]]:
        """Weak villages and villages with no income for the year, by code, after the cursor.

        The cursor is the last village code shown (a plain string, one under ``prefix``)."""
        after = decode_cursor(cursor)
        if after is not None and not (isinstance(after, str) and after.startswith(prefix)):
            raise bad_cursor()
        v = self._villages(prefix, year, regions)
        stmt = select(v).where(v.c.t.is_not(None), or_(v.c.income.is_(None), self._weak(v)))
        if after is not None:
            stmt = stmt.where(v.c.code > after)
        rows = list((await self.session.execute(stmt.order_by(v.c.code).limit(limit + 1))).all())
        if len(rows) <= limit:
            return Slice(rows, None)
        return Slice(rows[:limit], encode_cursor(rows[limit - 1].code))


async def income_facts(session: AsyncSession, prefix: str, year: int) -> list[IncomeFacts]:
    """The poor households under ``prefix``: their active members' labour capacities and their
    per-capita income record for ``year`` (None: none) — what the income-share indicator reads."""
    capacities = (
        select(func.array_agg(Member.labour_capacity))
        .where(Member.household_id == Household.id, Member.active.is_(True))
        .scalar_subquery()
    )
    stmt = (
        select(
            Household.id, Household.status, capacities.label("capacities"), IncomeRecord.per_capita_income_fen
        )
        .select_from(Household)
        .outerjoin(IncomeRecord, and_(IncomeRecord.household_id == Household.id, IncomeRecord.year == year))
        .where(
            Household.area_code.startswith(prefix, autoescape=True),
            Household.status.in_(sorted(s.value for s in POOR_STATUSES)),
        )
    )
    return [
        IncomeFacts(str(r.id), HouseholdStatus(r.status), tuple(r.capacities or ()), r.per_capita_income_fen)
        for r in await session.execute(stmt)
    ]


async def transfer_employment_counts(
    session: AsyncSession, prefix: str, *, born_after: date, born_by: date, labour: Sequence[str]
) -> tuple[int, int]:
    """(households, persons) of the poor households under ``prefix``: the active members born after
    ``born_after`` and on or before ``born_by``, with a labour capacity of ``labour``, not in school
    and with migrant-work information (seed 003's transfer-employment figure; the ages are the
    rule's, households.rules.born_between), and the households that have one."""
    stmt = (
        select(func.count(func.distinct(Member.household_id)), func.count())
        .select_from(Member)
        .join(Household, Household.id == Member.household_id)
        .where(
            Household.area_code.startswith(prefix, autoescape=True),
            Household.status.in_(sorted(s.value for s in POOR_STATUSES)),
            Member.active.is_(True),
            Member.birth_date > born_after,
            Member.birth_date <= born_by,
            Member.labour_capacity.in_(list(labour)),
            Member.in_school.is_(False),
            Member.migrant_work.is_(True),
        )
    )
    households, persons = (await session.execute(stmt)).one()
    return int(households), int(persons)


async def dibao_facts(session: AsyncSession, prefix: str, labour: Sequence[str]) -> list[DibaoFacts]:
    """The poor 低保 households under ``prefix``, with their active
    members' labour capacities and how many of those with a capacity of ``labour`` have a
    disability recorded (the key-target report's input, one query)."""
    active = and_(Member.household_id == Household.id, Member.active.is_(True))
    capacities = select(func.array_agg(Member.labour_capacity)).where(active).scalar_subquery()
    disabled = (
        select(func.count())
        .where(active, Member.labour_capacity.in_(list(labour)), func.coalesce(Member.disability, "") != "")
        .scalar_subquery()
    )
    stmt = select(
        Household.id,
        Household.household_number,
        Household.area_code,
        Household.head_name,
        Household.labour_willing,
        capacities.label("capacities"),
        disabled.label("disabled"),
    ).where(
        Household.area_code.startswith(prefix, autoescape=True),
        Household.status.in_(sorted(s.value for s in POOR_STATUSES)),
        Household.dibao.is_(True),
    )
    return [
        DibaoFacts(
            str(r.id),
            r.household_number,
            r.area_code,
            r.head_name,
            r.labour_willing,
            tuple(r.capacities or ()),
            int(r.disabled),
        )
        for r in await session.execute(stmt)
    ]
