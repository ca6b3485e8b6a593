"""All SQL about the registry projections (areas, households) and pairing needs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from services.pairing.models import AreaRef, HouseholdRef, PairingNeed
from shared.repository import Repository


class NeedRepository(Repository):
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

    async def household(self, household_id: uuid.UUID, *, for_update: bool = False) -> HouseholdRef | None:
        stmt = select(HouseholdRef).where(HouseholdRef.id == household_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_household(self, household: HouseholdRef) -> HouseholdRef:
        self.session.add(household)
        await self.session.flush()
        return household

    async def households(
        self,
        *,
        prefix: str,
        ids: list[uuid.UUID] | None = None,
        statuses: list[str] | None = None,
        after: uuid.UUID | None = None,
        limit: int | None = None,
    ) -> list[HouseholdRef]:
        stmt = select(HouseholdRef).where(HouseholdRef.area_code.startswith(prefix)).order_by(HouseholdRef.id)
        if ids is not None:
            stmt = stmt.where(HouseholdRef.id.in_(ids))
        if statuses:
            stmt = stmt.where(HouseholdRef.status.in_(statuses))
        if after:
            stmt = stmt.where(HouseholdRef.id > after)
        if limit:
            stmt = stmt.limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def open_need(self, household_id: uuid.UUID) -> PairingNeed | None:
        stmt = select(PairingNeed).where(
            PairingNeed.household_id == household_id, PairingNeed.status == "open"
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_need(self, need: PairingNeed) -> PairingNeed:
        self.session.add(need)
        await self.session.flush()
        return need

    async def finish_need(self, need: PairingNeed, *, status: str, reason: str, at: datetime) -> None:
        need.status, need.closed_reason, need.closed_at = status, reason, at
        await self.session.flush()

    async def move_need(self, household_id: uuid.UUID, *, area_code: str) -> None:
        stmt = (
            update(PairingNeed)
            .where(PairingNeed.household_id == household_id, PairingNeed.status == "open")
            .values(area_code=area_code)
        )
        await self.session.execute(stmt)

    async def needs(
        self, *, prefix: str, status: str | None, after: uuid.UUID | None, limit: int
    ) -> list[PairingNeed]:
        stmt = select(PairingNeed).where(PairingNeed.area_code.startswith(prefix)).order_by(PairingNeed.id)
        if status:
            stmt = stmt.where(PairingNeed.status == status)
        if after:
            stmt = stmt.where(PairingNeed.id > after)
        return list((await self.session.execute(stmt.limit(limit))).scalars())
