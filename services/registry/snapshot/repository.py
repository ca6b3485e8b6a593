"""The snapshot's reads: the area subtree's areas, households and members, streamed in key order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.models import Area, Household, Member

_AREA = (
    Area.code,
    Area.name,
    Area.level,
    Area.parent_code,
    Area.poor_village,
    Area.old_area_village,
    Area.key_village,
)
_HOUSEHOLD = (
    Household.id,
    Household.household_number,
    Household.area_code,
    Household.status,
    Household.year,
    Household.member_count,
    Household.poverty_causes,
    Household.batches,
    Household.dibao,
    Household.registered_on,
    Household.exited_on,
)
_MEMBER = (
    Member.id,
    Member.household_id,
    Member.name,
    Member.resident_id_masked,
    Member.relation,
    Member.sex,
    Member.labour_capacity,
    Member.active,
)


_BATCH = 2_000


async def _rows(conn: AsyncConnection, statement: Any) -> AsyncIterator[dict[str, Any]]:
    result = await conn.stream(statement.execution_options(yield_per=_BATCH))  # a server-side cursor
    async for batch in result.mappings().partitions(_BATCH):  # one round trip (and await) per batch
        for row in batch:
            yield dict(row)


def areas(conn: AsyncConnection, prefix: str) -> AsyncIterator[dict[str, Any]]:
    return _rows(conn, select(*_AREA).where(Area.code.startswith(prefix)).order_by(Area.code))


def households(conn: AsyncConnection, prefix: str) -> AsyncIterator[dict[str, Any]]:
    return _rows(
        conn, select(*_HOUSEHOLD).where(Household.area_code.startswith(prefix)).order_by(Household.id)
    )


def members(conn: AsyncConnection, prefix: str) -> AsyncIterator[dict[str, Any]]:
    return _rows(
        conn,
        select(*_MEMBER)
        .join(Household, Household.id == Member.household_id)
        .where(Household.area_code.startswith(prefix))
        .order_by(Member.household_id, Member.id),
    )
