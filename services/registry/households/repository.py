from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from asyncpg.exceptions import DeadlockDetectedError, UniqueViolationError
from pydantic_core import from_json
from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    ScalarSelect,
    Select,
    String,
    Table,
    Text,
    bindparam,
    case,
    func,
    insert,
    inspect,
    literal_column,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.registry.models import Area, Debt, Household, IncomeRecord, Member, household_number_seq
from services.registry.vocabulary import HouseholdStatus, PovertyCause, Relation
from shared.bulk import any_of, unnest_insert, unnest_params
from shared.db import Write, like_prefix, read_rows, write_together
from shared.repository import Repository, Slice, decode_key, encode_key

# what the bulk path writes of a household and a member (the rest: NULL or the table's default)
HOUSEHOLD_COLUMNS = tuple(
    c.key for c in Household.__table__.columns if c.key not in ("created_at", "updated_at")
)
MEMBER_COLUMNS = tuple(c.key for c in Member.__table__.columns if c.key not in ("created_at", "updated_at"))


async def copy_records(
    session: AsyncSession, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]
) -> None:
    """COPY rows into ``table`` in the session's transaction (asyncpg's binary COPY)."""
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(table, records=records, columns=list(columns))


def registered_events_sql(source: str) -> str:
    """INSERT … SELECT of one ``registered`` event per row of ``source`` into the outbox: the
    envelope and data households.events.registered writes (CloudEvents, the HouseholdRegistered
    contract; head name masked as shared.pii.mask_name does). ``source`` selects hid,
    household_number, area_code, year, head_name, member_count, member_ids (jsonb), poverty_causes,
    batches, dibao, registered_on and ord (the events' order); parameters :type, :now (the
    envelope's time as JSON), :rid (request id), :trace (traceparent/tracestate, JSON) and :origin.
    The envelope's attributes every event shares (nulls left out) are built once, each event adds
    its id, subject and data to them: one jsonb concatenation a row."""
    return (
        "WITH head AS (SELECT jsonb_strip_nulls(jsonb_build_object("
        "'specversion', '1.0', 'source', 'jingzhun/registry', 'type', CAST(:type AS text), "
        "'time', CAST(:now AS text), 'datacontenttype', 'application/json', "
        "'requestid', CAST(:rid AS text))) || CAST(:trace AS jsonb) AS attributes) "
        "INSERT INTO outbox (id, type, subject, envelope, request_id) "
        "SELECT e.eid, CAST(:type AS varchar), e.hid::text, (SELECT attributes FROM head) "
        "|| jsonb_build_object('id', e.eid::text, 'subject', e.hid::text, 'data', "
        "jsonb_build_object('household_id', e.hid::text, 'household_number', e.household_number, "
        "'area_code', e.area_code, 'year', e.year, 'member_count', e.member_count, "
        "'member_ids', e.member_ids, "
        "'head_name_masked', left(e.head_name, 1) || repeat('*', greatest(1, char_length(e.head_name) - 1)), "
        "'poverty_causes', to_jsonb(coalesce(e.poverty_causes, '{}')), "
        "'batches', to_jsonb(coalesce(e.batches, '{}')), 'dibao', e.dibao, "
        "'registered_on', to_char(e.registered_on, 'YYYY-MM-DD'), 'origin', CAST(:origin AS text))), "
        "CAST(:rid AS text) "
        f"FROM (SELECT gen_random_uuid() AS eid, s.* FROM ({source}) s ORDER BY s.ord) e"
    )


@dataclass(frozen=True, slots=True)
class ChunkRecords:
    """A chunk of a bulk import as COPY records: households and members, each in its columns' order."""

    households: Sequence[Sequence[Any]]
    household_columns: Sequence[str]
    members: Sequence[Sequence[Any]]
    member_columns: Sequence[str]


@dataclass(frozen=True, slots=True)
class ListFilter:
    area_prefix: str
    status: HouseholdStatus | None = None
    cause: PovertyCause | None = None
    batch: str | None = None  # a batch code (an area's policy may name its own)
    name: str | None = None
    resident_id_hash: str | None = None
    household_ids: frozenset[uuid.UUID] | None = None  # a cadre's own households only (shared.cadres)


# What a list row shows of a household (services/registry/households/router.py, _list_item).
LIST_COLUMNS = (
    Household.id,
    Household.household_number,
    Household.area_code,
    Household.status,
    Household.year,
    Household.head_name,
    Household.member_count,
    Household.poverty_causes,
    Household.batches,
    Household.dibao,
)

ListRow = Mapping[str, Any]  # a row of LIST_COLUMNS, by column name


@dataclass(frozen=True, slots=True)
class CardRows:
    """A household's row and its card's parts (active members, incomes, debts) as plain values."""

    household: Mapping[str, Any]  # the household's columns by name
    members: list[dict[str, Any]]
    incomes: list[dict[str, Any]]
    debts: list[dict[str, Any]]


def _json_rows(
    columns: Sequence[InstrumentedAttribute[Any]],
    where: Sequence[ColumnElement[bool]],
    order: Sequence[InstrumentedAttribute[Any]],
) -> ScalarSelect[Any]:
    """The rows of a part of the card as one JSON array of objects keyed by column (``[]`` when
    none), in ``order``; correlated to the household of the enclosing statement. Sent as its text,
    decoded by :func:`card` (pydantic-core's parser: half the CPU of the json codec's ``json.loads``
    for a card's members, a twelfth for an empty part)."""
    # the keys are the columns' attribute names, written into the statement (not 20 parameters)
    pairs: list[Any] = []  # key, column, key, column, …
    for c in columns:
        pairs += [literal_column(f"'{c.key}'"), c]
    row = func.json_build_object(*pairs)
    rows = func.json_agg(aggregate_order_by(row, *order))
    empty: ColumnElement[Any] = literal_column("'[]'::json")
    return select(func.coalesce(rows, empty, type_=JSON).cast(Text)).where(*where).scalar_subquery()


@functools.cache
def _card_statement(
    member_fields: tuple[str, ...], income_fields: tuple[str, ...], debt_fields: tuple[str, ...]
) -> Select[Any]:
    """Built once per field list, the household's id a parameter: SQLAlchemy then finds the
    compiled statement by a cache key it computed once (memoized on the statement), where a
    statement built per request had its whole tree walked for the key every time (a fifth of a
    card read's CPU in the profile)."""
    members = _json_rows(
        [getattr(Member, f) for f in member_fields],
        [Member.household_id == Household.id, Member.active.is_(True)],
        [Member.id],
    )
    incomes = _json_rows(
        [getattr(IncomeRecord, f) for f in income_fields],
        [IncomeRecord.household_id == Household.id],
        [IncomeRecord.year],
    )
    debts = _json_rows(
        [getattr(Debt, f) for f in debt_fields],
        [Debt.household_id == Household.id],
        [Debt.recorded_on, Debt.id],
    )
    return select(
        Household.__table__,
        members.label("card_members"),
        incomes.label("card_incomes"),
        debts.label("card_debts"),
    ).where(Household.id == bindparam("household_id", type_=Household.id.type))


_HOUSEHOLD_COLUMNS = inspect(Household).column_attrs
# A household's members on its roll. The member table keeps no order of entry (random ids, no
# sequence or time of entry), so the nearest to it: the head, then by relation as the roll and the
# household register list them (配偶, 子女, 儿媳或女婿, 孙子女, 父母 … the vocabulary's order), each
# relation eldest first; then the id, so the order is the same every time.
ROLL_ORDER = (
    case({r.value: rank for rank, r in enumerate(Relation)}, value=Member.relation, else_=len(Relation)),
    Member.birth_date,
    Member.id,
)
_IDENTITY_HELD = (
    select(Member.resident_id_hash)
    .where(any_of(Member.resident_id_hash, "hashes"), Member.holds_identity)
    .limit(1)
)


@functools.lru_cache(maxsize=16)
def _new_household_statement(columns: tuple[str, ...], member_columns: tuple[str, ...]) -> Insert:
    """insert_new's statement, built once per set of columns (parameters ``h_<column>`` and the
    members' arrays ``a_<column>`` of shared.bulk.unnest_insert): no statement built per request."""
    table = cast(Table, Household.__table__)
    values = {c: bindparam(f"h_{c}", type_=table.c[c].type) for c in columns}
    new_household = insert(table).values(values).cte("new_household")
    stmt, _ = unnest_insert(cast(Table, Member.__table__), [dict.fromkeys(member_columns)], member_columns)
    return stmt.add_cte(new_household)


@functools.cache
def _page_statement(given: frozenset[str]) -> Select[*tuple[Any, ...]]:
    """A list page's statement for the filters ``given`` (the names of its parameters), built once
    per combination: its values are parameters, so a page costs no statement building or cache
    key, and asyncpg runs the statement it prepared once per connection."""
    stmt: Select[*tuple[Any, ...]] = select(*LIST_COLUMNS).where(
        Household.area_code.like(bindparam("prefix"), escape="/")
    )
    if "status" in given:
        stmt = stmt.where(Household.status == bindparam("status"))
    if "cause" in given:
        stmt = stmt.where(
            Household.poverty_causes.contains(bindparam("cause", type_=Household.poverty_causes.type))
        )
    if "batch" in given:
        stmt = stmt.where(Household.batches.contains(bindparam("batch", type_=Household.batches.type)))
    if "name" in given:
        member_named = select(Member.id).where(
            Member.household_id == Household.id,
            Member.active,
            Member.name.like(bindparam("name"), escape="/"),
        )
        stmt = stmt.where(member_named.exists())
    if "rid_hash" in given:
        with_person = select(Member.id).where(
            Member.household_id == Household.id, Member.resident_id_hash == bindparam("rid_hash")
        )
        stmt = stmt.where(with_person.exists())
    if "ids" in given:
        ids = bindparam("ids", type_=ARRAY(Household.id.type))
        stmt = stmt.where(Household.id == func.any(ids))
    # Keyset order of ix_household_area_code_id, whose area_code is text_pattern_ops: its
    # operators (~<~, ~>~: byte order, the same as the collation's for digit codes) let the
    # page be read off the index in order; ``ORDER BY area_code`` would sort the whole subtree.
    # The base's ``keyset`` orders by plain ``area_code, id``, so this list pages itself.
    if "after_area" in given:
        after_area = bindparam("after_area", type_=Household.area_code.type)
        stmt = stmt.where(
            Household.area_code.op("~>=~")(after_area),
            or_(Household.area_code.op("~>~")(after_area), Household.id > bindparam("after_id")),
        )
    order: ColumnElement[Any] = literal_column("household.area_code USING ~<~")
    stmt = stmt.order_by(order, Household.id).limit(bindparam("limit", type_=Integer()))
    if "area" not in given:
        return stmt
    # The page beside the area's row, in one round trip: no row at all when the area is not on the
    # register, one of NULLs when it is and the page is empty (HouseholdRepository.page).
    page = stmt.lateral("page")
    area = select(Area.code).where(Area.code == bindparam("area", type_=String())).subquery("area")
    return (
        select(*page.c)
        .select_from(area.outerjoin(page, true()))
        .order_by(literal_column("page.area_code USING ~<~"), page.c.id)
    )


class HouseholdRepository(Repository[Household]):
    model = Household

    async def card(
        self,
        household_id: uuid.UUID,
        *,
        member_fields: Sequence[str],
        income_fields: Sequence[str],
        debt_fields: Sequence[str],
    ) -> CardRows | None:
        """The household and its card's parts in one statement (one round trip instead of four):
        the parts come as JSON arrays built by the database, in the orders of ``members``,
        ``incomes`` and ``debts`` in :func:`_card_statement`. No ORM objects: a read that changes
        nothing needs none; run on the read session's asyncpg connection (``read_rows``)."""
        stmt = _card_statement(tuple(member_fields), tuple(income_fields), tuple(debt_fields))
        rows = await read_rows(self.session, stmt, {"household_id": household_id})
        if not rows:
            return None
        row = rows[0]
        return CardRows(
            row, from_json(row["card_members"]), from_json(row["card_incomes"]), from_json(row["card_debts"])
        )

    async def insert_new(
        self, household: Household, members: Sequence[Mapping[str, Any]], *, together: Sequence[Write] = ()
    ) -> None:
        """A new household (built in Python, never added to the session) and its members' rows
        (``service.member_values``) in one statement: the household's INSERT as a CTE of the
        members' (a foreign key is checked at the statement's end), with the use case's other
        writes ``together`` (its audit row, event, counters: ``shared.db.write_together``)."""
        given = inspect(household).dict  # what was set on it (the ORM's own state left out)
        columns = tuple(c.key for c in _HOUSEHOLD_COLUMNS if c.key in given)
        names = tuple(members[0])
        params = {f"h_{c}": given[c] for c in columns} | unnest_params(members, names)
        await write_together(self.session, (_new_household_statement(columns, names), params), *together)

    async def members(self, household_id: uuid.UUID) -> list[Member]:
        stmt = select(Member).where(Member.household_id == household_id, Member.active).order_by(Member.id)
        return list((await self.session.execute(stmt)).scalars())

    async def roll_households(self, ids: Sequence[uuid.UUID]) -> list[tuple[Household, list[Member]]]:
        """The households ``ids`` (in that order) with their active members in ROLL_ORDER (the roll)."""
        if not ids:
            return []
        households = await self.session.execute(select(Household).where(Household.id.in_(ids)))
        found = {h.id: h for h in households.scalars()}
        stmt = select(Member).where(Member.household_id.in_(ids), Member.active).order_by(*ROLL_ORDER)
        members: dict[uuid.UUID, list[Member]] = {i: [] for i in ids}
        for m in (await self.session.execute(stmt)).scalars():
            members[m.household_id].append(m)
        return [(found[i], members[i]) for i in ids if i in found]

    async def member(self, household_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
        stmt = select(Member).where(Member.id == member_id, Member.household_id == household_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def identity_holders(self, hashes: Sequence[str]) -> list[tuple[str, Household]]:
        """Active households already holding any of these people (keyed hashes)."""
        stmt = (
            select(Member.resident_id_hash, Household)
            .join(Household, Household.id == Member.household_id)
            .where(Member.resident_id_hash.in_(list(hashes)), Member.holds_identity)
        )
        return [(h, hh) for h, hh in (await self.session.execute(stmt)).all()]

    async def any_identity_held(self, hashes: Sequence[str]) -> bool:
        """Whether any of these people (keyed hashes) is held by a household: the usual answer,
        no, without ORM objects (a write's hot check; shared.db.read_rows)."""
        return bool(await read_rows(self.session, _IDENTITY_HELD, {"hashes": list(hashes)}))

    async def identity_holder_members(self, hashes: Sequence[str]) -> list[tuple[Member, Household]]:
        """The memberships (and households) holding any of these people."""
        stmt = (
            select(Member, Household)
            .join(Household, Household.id == Member.household_id)
            .where(Member.resident_id_hash.in_(list(hashes)), Member.holds_identity)
        )
        return [(m, hh) for m, hh in (await self.session.execute(stmt)).all()]

    async def release_identities(self, household_id: uuid.UUID) -> None:
        """A rejected or removed household no longer holds its members' identities."""
        await self.session.execute(
            update(Member).where(Member.household_id == household_id).values(holds_identity=False)
        )

    async def numbers_in_use(self, numbers: set[str]) -> set[str]:
        """Which of these household numbers another household already has."""
        if not numbers:
            return set()
        stmt = select(Household.household_number).where(Household.household_number.in_(numbers))
        return {str(n) for n in (await self.session.execute(stmt)).scalars()}

    async def next_numbers(self, n: int) -> list[int]:
        """``n`` household numbers drawn from the sequence, as one array (not ``n`` result rows)."""
        stmt = select(func.array_agg(household_number_seq.next_value())).select_from(
            func.generate_series(1, n)
        )
        return [int(v) for v in (await self.session.execute(stmt)).scalar_one() or ()]

    async def next_number(self, area_code: str) -> str:
        seq = (await self.session.execute(select(household_number_seq.next_value()))).scalar_one()
        return f"{area_code}{int(seq):08d}"

    async def incomes(self, household_id: uuid.UUID) -> list[IncomeRecord]:
        stmt = (
            select(IncomeRecord).where(IncomeRecord.household_id == household_id).order_by(IncomeRecord.year)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def income(self, household_id: uuid.UUID, year: int) -> int | None:
        row = await self.session.get(IncomeRecord, (household_id, year))
        return row.per_capita_income_fen if row else None

    async def income_record(self, household_id: uuid.UUID, year: int) -> IncomeRecord | None:
        stmt = select(IncomeRecord).where(
            IncomeRecord.household_id == household_id, IncomeRecord.year == year
        )
        return (
            await self.session.execute(stmt.execution_options(populate_existing=True))
        ).scalar_one_or_none()

    async def put_income(self, household_id: uuid.UUID, year: int, fen: int) -> IncomeRecord:
        """Add or change a year's income (callers hold the household's row lock)."""
        row = await self.income_record(household_id, year)
        if row is None:
            row = IncomeRecord(household_id=household_id, year=year, per_capita_income_fen=fen, version=1)
            self.session.add(row)
        else:
            row.per_capita_income_fen = fen
            row.version += 1
        await self.session.flush()
        return row

    async def debts(self, household_id: uuid.UUID) -> list[Debt]:
        stmt = select(Debt).where(Debt.household_id == household_id).order_by(Debt.recorded_on, Debt.id)
        return list((await self.session.execute(stmt)).scalars())

    async def debt(self, household_id: uuid.UUID, debt_id: uuid.UUID) -> Debt | None:
        stmt = select(Debt).where(Debt.id == debt_id, Debt.household_id == household_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def page(
        self, f: ListFilter, *, cursor: str | None, limit: int, area_code: str | None = None
    ) -> Slice[ListRow] | None:
        """One page in (area_code, id) order; the cursor is the last row's [area_code, id].
        With ``area_code`` (the area the caller filters by): None when no such area is registered.

        Rows of the list's columns (``LIST_COLUMNS``, read by name), not ORM objects: building and
        tracking 51 of those was most of a page's Python time. The statement is built once per
        combination of filters (:func:`_page_statement`) and run by ``read_rows``."""
        after = decode_key(cursor, (str, uuid.UUID))
        params: dict[str, Any] = {"prefix": like_prefix(f.area_prefix), "limit": limit + 1}
        if f.status is not None:
            params["status"] = f.status.value
        if f.cause is not None:
            params["cause"] = [f.cause.value]
        if f.batch is not None:
            params["batch"] = [f.batch]
        if f.name is not None:
            params["name"] = like_prefix(f.name)
        if f.resident_id_hash is not None:
            params["rid_hash"] = f.resident_id_hash
        if f.household_ids is not None:
            params["ids"] = list(f.household_ids)
        if after is not None:
            params["after_area"], params["after_id"] = after
        if area_code is not None:
            params["area"] = area_code
        stmt = _page_statement(frozenset(params))
        rows = await read_rows(self.session, stmt, params)
        if area_code is not None:
            if not rows:
                return None
            if rows[0]["id"] is None:  # the area's row, no household beside it
                return Slice([], None)
        if len(rows) <= limit:
            return Slice(rows, None)
        last = rows[limit - 1]
        return Slice(rows[:limit], encode_key([last["area_code"], last["id"]]))

    # ---- the bulk path (households.bulk, imports): staged with COPY, moved with INSERT … SELECT ----

    async def create_staging(self) -> None:
        """Two temporary tables shaped like household and member (plus ``seq``, the row order),
        dropped at the end of the transaction."""
        for like in ("household", "member"):
            await self.session.execute(
                text(
                    f"CREATE TEMP TABLE staged_{like} (LIKE {like} INCLUDING DEFAULTS, seq integer) "
                    "ON COMMIT DROP"
                )
            )

    async def stage_chunk(self, chunk: ChunkRecords) -> None:
        """COPY a chunk of the import's rows (records of the columns named; JSON as text) into the
        staging tables, emptied first (the previous chunk is in place): what follows reads one
        chunk, however long the import. A row's place in the chunk is its ``seq``."""
        # DELETE, not TRUNCATE: a temporary table's rows go without WAL either way, and TRUNCATE's
        # new files per chunk cost more than the few thousand dead rows left to the next scans
        for table in ("staged_household", "staged_member"):
            await self.session.execute(text(f"DELETE FROM {table}"))
        for like, rows, columns in (
            ("household", chunk.households, chunk.household_columns),
            ("member", chunk.members, chunk.member_columns),
        ):
            records = [(*r, seq) for seq, r in enumerate(rows)]
            await copy_records(self.session, f"staged_{like}", (*columns, "seq"), records)

    async def staged_identities_held(self) -> list[str]:
        """One person, one household, in one join on the blind index: the staged people whom an
        active household already holds."""
        rows = await self.session.execute(
            text(
                "SELECT DISTINCT s.resident_id_hash FROM staged_member s JOIN member m "
                "ON m.resident_id_hash = s.resident_id_hash AND m.holds_identity"
            )
        )
        return list(rows.scalars())

    async def copy_into_place(
        self, chunk: ChunkRecords, events: Sequence[Sequence[Any]], event_columns: Sequence[str]
    ) -> bool:
        """COPY a chunk of checked households and members straight into their tables, and their
        registered events (outbox records of ``event_columns``, in the households' order) into the
        outbox. False, with nothing of the chunk kept, when the unique index of held identities
        (uq_member_identity_held: one person, one household) refuses a member: the caller undoes
        what it moved (the transaction is aborted) and looks the chunk's people up
        (``stage_chunk``, ``staged_identities_held``) to say who holds them. Likewise when two
        imports in flight hold each other's people (A has moved X and waits for Y, B has moved Y
        and waits for X): PostgreSQL ends the deadlock by failing one member COPY, and that import
        is refused as its people being held elsewhere, which they are, once the other commits."""
        await copy_records(self.session, "household", chunk.household_columns, chunk.households)
        try:
            await copy_records(self.session, "member", chunk.member_columns, chunk.members)
        except UniqueViolationError as exc:
            if exc.constraint_name != "uq_member_identity_held":
                raise
            return False
        except DeadlockDetectedError:  # only held identities are shared with another import here
            return False
        await copy_records(self.session, "outbox", event_columns, events)
        return True

    async def in_village(self, area_code: str, statuses: Sequence[str], *, limit: int) -> list[Household]:
        stmt = (
            select(Household)
            .where(Household.area_code == area_code, Household.status.in_(list(statuses)))
            .order_by(Household.household_number)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def count_under(self, prefix: str) -> int:
        stmt = select(func.count()).select_from(Household).where(Household.area_code.startswith(prefix))
        return int((await self.session.execute(stmt)).scalar_one())
