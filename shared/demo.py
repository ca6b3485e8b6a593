"""Demo data bookkeeping: the demo loads once, is marked as demo data, and can be removed exactly.

Every service's demo loader writes through the service functions as actors named ``demo-…``, so
the audit trail says which entities the demo created; after loading, ``record_created`` copies
those (entity type, id) pairs into ``demo_record`` together with the row ``('demo', 'loaded')``,
which makes later starts skip the demo. The marker is written only once a service's load has
completed: a start that finds demo entities but no marker (``interrupted``) runs the loader again,
which skips what is already there and finishes the rest. The registry's demo households are recorded in every
service (``record``) because the other services hold projections of them.

``remove`` deletes each recorded entity with the rows that depend on it (found from the foreign
keys of the service's MetaData), and the rows of the projection tables a service names for the
other services' demo entities. Reference data the demo also loads (areas, policy presets, sign-off
schemes) is left alone: a user's own households stand on it. The audit trail keeps its rows (it
is append-only and sealed): it shows that demo data existed and when it was removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.schema import MetaData

from shared import audit
from shared.tables import audit_log, demo_record

__all__ = [
    "DEMO_ACTOR_PREFIX",
    "interrupted",
    "is_loaded",
    "mark_loaded",
    "record",
    "record_created",
    "recorded",
    "remove",
    "state",
]

DEMO_ACTOR_PREFIX = "demo-"
_LOADED = ("demo", "loaded")
_REMOVED = ("demo", "removed")  # a reset keeps later starts from loading it again
# Reference data, not demo data: the seeds' places and policies stay when the demo goes.
REFERENCE_TYPES = frozenset({"area", "policy", "registry_policy", "pairing_policy", "signoff_scheme"})


async def state(session: AsyncSession) -> str | None:
    """'loaded', 'removed' (by a reset) or None (never loaded here)."""
    row = await session.execute(
        select(demo_record.c.entity_id).where(demo_record.c.entity_type == _LOADED[0]).limit(1)
    )
    return row.scalar_one_or_none()


async def interrupted(session: AsyncSession) -> bool:
    """True when a demo load began here but never completed (stopped part way, e.g. Ctrl-C):
    the demo wrote entities but no marker. The next load finishes it; only then it is marked."""
    if await state(session) is not None:
        return False
    began = select(audit_log.c.id).where(
        audit_log.c.actor.startswith(DEMO_ACTOR_PREFIX), audit_log.c.entity_type.not_in(REFERENCE_TYPES)
    )
    return bool((await session.execute(began.limit(1))).first())


async def is_loaded(session: AsyncSession) -> bool:
    """True once the demo was loaded here (also after a reset removed it: it is not loaded again)."""
    return await state(session) is not None


async def mark_loaded(session: AsyncSession) -> None:
    await record(session, _LOADED[0], [_LOADED[1]])


async def record(session: AsyncSession, entity_type: str, ids: Iterable[str]) -> None:
    rows = [{"entity_type": entity_type, "entity_id": str(i)} for i in ids]
    if rows:
        await session.execute(pg_insert(demo_record).values(rows).on_conflict_do_nothing())


async def record_created(session: AsyncSession, *, also_actors: Sequence[str] = ()) -> int:
    """Record every entity the demo's actors (``demo-…``, and ``also_actors``) wrote to."""
    by_demo = audit_log.c.actor.startswith(DEMO_ACTOR_PREFIX)
    if also_actors:
        by_demo = by_demo | audit_log.c.actor.in_(list(also_actors))
    chosen = (
        select(audit_log.c.entity_type, audit_log.c.entity_id)
        .where(by_demo, audit_log.c.entity_type.not_in(REFERENCE_TYPES))
        .distinct()
    )
    result = await session.execute(
        pg_insert(demo_record).from_select(["entity_type", "entity_id"], chosen).on_conflict_do_nothing()
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def recorded(session: AsyncSession, entity_type: str | None = None) -> list[tuple[str, str]]:
    query = select(demo_record.c.entity_type, demo_record.c.entity_id).where(
        demo_record.c.entity_type != _LOADED[0]
    )
    if entity_type is not None:
        query = query.where(demo_record.c.entity_type == entity_type)
    return [(t, i) for t, i in (await session.execute(query.order_by(demo_record.c.entity_type))).all()]


async def _purge(
    session: AsyncSession,
    metadata: MetaData,
    table: Table,
    column: str,
    values: list[object],
    counts: dict[str, int],
) -> None:
    """Delete the rows of ``table`` whose ``column`` is one of ``values``, dependents first."""
    if not values:
        return
    where = table.c[column].in_(values)
    for child in metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            found = (await session.execute(select(fk.column).where(where))).scalars()
            referenced = [v for v in found if v is not None]
            if child is table:  # self-reference (a team's members): the rows outside this set
                pk = next(iter(table.primary_key.columns))
                inside = select(pk).where(where)
                rows = (
                    await session.execute(select(pk).where(fk.parent.in_(referenced), pk.not_in(inside)))
                ).scalars()
                await _purge(session, metadata, table, pk.name, list(rows), counts)
            else:
                await _purge(session, metadata, child, fk.parent.name, referenced, counts)
    result = await session.execute(delete(table).where(where))
    if n := int(result.rowcount or 0):  # type: ignore[attr-defined]
        counts[table.name] = counts.get(table.name, 0) + n


def _typed(table: Table, column: str, ids: Iterable[str]) -> list[object]:
    """Ids as the column stores them (UUID columns refuse text that is not a UUID)."""
    python_type: type | None
    try:
        python_type = table.c[column].type.python_type
    except NotImplementedError:
        python_type = None
    out: list[object] = []
    for i in ids:
        try:
            out.append(python_type(i) if python_type not in (None, str) else i)
        except (TypeError, ValueError):
            continue
    return out


async def remove(
    session: AsyncSession,
    metadata: MetaData,
    *,
    own: Mapping[str, str] | None = None,
    projections: Mapping[str, Sequence[tuple[str, str]]] = {},  # noqa: B006 - read only
) -> dict[str, int]:
    """Delete this service's recorded demo entities and the projections of other services' ones.

    ``own`` maps a recorded entity type to the primary key column of the table of that name
    (default ``id``); ``projections`` maps a recorded entity type (e.g. ``household``) to the
    (table, column) pairs that hold it here. Returns the rows deleted per table.
    """
    own = own or {}
    records = await recorded(session)
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in records:
        by_type.setdefault(entity_type, []).append(entity_id)
    deleted: dict[str, int] = {}
    for entity_type, ids in sorted(by_type.items()):
        targets = list(projections.get(entity_type, ()))
        if entity_type in metadata.tables and entity_type not in REFERENCE_TYPES:
            targets.append((entity_type, own.get(entity_type, "id")))
        for table_name, column in targets:
            table = metadata.tables[table_name]
            await _purge(session, metadata, table, column, _typed(table, column, ids), deleted)
    await session.execute(delete(demo_record))
    await record(session, _REMOVED[0], [_REMOVED[1]])
    await audit.record(session, "demo-reset", "demo.removed", ("demo", "demo"), after={"deleted": deleted})
    return deleted


async def count_recorded(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(demo_record))).scalar_one())
