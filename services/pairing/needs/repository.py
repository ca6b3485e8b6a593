"""All SQL about the registry projections (areas, households) and pairing needs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, String, Table, select, union_all, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert

from services.pairing.models import AreaRef, HouseholdRef, Pairing, PairingNeed
from shared.bulk import any_of, unnest_insert
from shared.repository import Repository, Slice


class NeedRepository(Repository[PairingNeed]):
    """Pairing needs, and the area projection they are opened against."""

    model = PairingNeed

    async def upsert_area(self, values: dict[str, Any]) -> None:
        stmt = insert(AreaRef).values(**values)
        update = {k: stmt.excluded[k] for k in values if k != "code"}
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["code"], set_=update))

    async def area(self, code: str) -> AreaRef | None:
        return await self.session.get(AreaRef, code)

    async def poor_villages(self, prefix: str) -> list[AreaRef]:
        stmt = select(AreaRef).where(
            AreaRef.code.startswith(prefix), AreaRef.level == "village", AreaRef.poor_village.is_(True)
        )
        return list((await self.session.execute(stmt.order_by(AreaRef.code))).scalars())

    async def old_area_villages(self, prefix: str) -> list[AreaRef]:
        stmt = select(AreaRef).where(
            AreaRef.code.startswith(prefix), AreaRef.level == "village", AreaRef.old_area_village.is_(True)
        )
        return list((await self.session.execute(stmt.order_by(AreaRef.code))).scalars())

    async def open_need(self, household_id: uuid.UUID) -> PairingNeed | None:
        stmt = select(PairingNeed).where(
            PairingNeed.household_id == household_id, PairingNeed.status == "open"
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def finish_need(self, need: PairingNeed, *, status: str, reason: str, at: datetime) -> None:
        need.status, need.closed_reason, need.closed_at = status, reason, at
        await self.session.flush()

    async def fulfil_many(self, household_ids: Sequence[uuid.UUID], *, reason: str, at: datetime) -> None:
        stmt = (
            update(PairingNeed)
            .where(PairingNeed.household_id.in_(household_ids), PairingNeed.status == "open")
            .values(status="fulfilled", closed_reason=reason, closed_at=at)
        )
        await self.session.execute(stmt)

    async def with_open_need(self, household_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        stmt = select(PairingNeed.household_id).where(
            PairingNeed.household_id.in_(household_ids), PairingNeed.status == "open"
        )
        return set((await self.session.execute(stmt)).scalars())

    async def open_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Open needs for households that have none (one INSERT, whatever their number)."""
        if rows:
            stmt, params = unnest_insert(cast(Table, PairingNeed.__table__), rows)
            await self.session.execute(stmt, params)

    async def move_need(self, household_id: uuid.UUID, *, area_code: str) -> None:
        stmt = (
            update(PairingNeed)
            .where(PairingNeed.household_id == household_id, PairingNeed.status == "open")
            .values(area_code=area_code)
        )
        await self.session.execute(stmt)

    async def page(
        self, *, prefix: str, status: str | None, cursor: str | None, limit: int
    ) -> Slice[PairingNeed]:
        stmt = select(PairingNeed).where(PairingNeed.area_code.startswith(prefix))
        if status:
            stmt = stmt.where(PairingNeed.status == status)
        return await self.keyset(stmt, key=(PairingNeed.id,), cursor=cursor, limit=limit)


class HouseholdRepository(Repository[HouseholdRef]):
    """Pairing's projection of the registry's households (``get(id, lock=True)`` before a change)."""

    model = HouseholdRef

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
        """Copies of households not held yet, in one INSERT; the ids it inserted (one another
        transaction inserted meanwhile is left alone: the caller applies that event one by one)."""
        if not rows:
            return set()
        table = cast(Table, HouseholdRef.__table__)
        stmt, params = unnest_insert(table, rows)  # one statement, one array per column
        returning = stmt.on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
        return set((await self.session.execute(returning, params)).scalars())

    async def exited_by_id(
        self, *, kept_before: date, after: uuid.UUID | None, limit: int
    ) -> list[HouseholdRef]:
        """Exited households whose kept policies ended before ``kept_before``, by id from ``after``."""
        stmt = select(HouseholdRef).where(
            HouseholdRef.status == "exited", HouseholdRef.policies_kept_until < kept_before
        )
        if after is not None:
            stmt = stmt.where(HouseholdRef.id > after)
        return list((await self.session.execute(stmt.order_by(HouseholdRef.id).limit(limit))).scalars())

    async def known(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        stmt = select(HouseholdRef.id).where(HouseholdRef.id.in_(ids))
        return set((await self.session.execute(stmt)).scalars())

    async def held_needed_or_paired(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Of ``ids``, the households the projection holds, or with an open need, or an active
        pairing: one round trip for the three."""
        stmt = union_all(
            select(sql_cast(HouseholdRef.id, String)).where(any_of(HouseholdRef.id, "held")),
            select(sql_cast(PairingNeed.household_id, String)).where(
                any_of(PairingNeed.household_id, "needed"), PairingNeed.status == "open"
            ),
            select(Pairing.target_id).where(any_of(Pairing.target_id, "paired"), Pairing.ended_on.is_(None)),
        )
        params = {"held": list(ids), "needed": list(ids), "paired": [str(i) for i in ids]}
        return {uuid.UUID(i) for i in (await self.session.execute(stmt, params)).scalars()}

    def _select(self, prefix: str, ids: list[uuid.UUID] | None, statuses: list[str] | None) -> Select[Any]:
        stmt = select(HouseholdRef).where(HouseholdRef.area_code.startswith(prefix))
        if ids is not None:
            stmt = stmt.where(HouseholdRef.id.in_(ids))
        if statuses:
            stmt = stmt.where(HouseholdRef.status.in_(statuses))
        return stmt

    async def in_area(
        self, *, prefix: str, ids: list[uuid.UUID] | None = None, statuses: list[str] | None = None
    ) -> list[HouseholdRef]:
        stmt = self._select(prefix, ids, statuses).order_by(HouseholdRef.id)
        return list((await self.session.execute(stmt)).scalars())

    async def page(
        self,
        *,
        prefix: str,
        ids: list[uuid.UUID] | None,
        statuses: list[str] | None,
        cursor: str | None,
        limit: int,
    ) -> Slice[HouseholdRef]:
        stmt = self._select(prefix, ids, statuses)
        return await self.keyset(stmt, key=(HouseholdRef.id,), cursor=cursor, limit=limit)
