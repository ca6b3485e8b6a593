"""All SQL about pairings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update

from services.pairing.models import Pairing
from shared.repository import Repository, Slice


class PairingRepository(Repository[Pairing]):
    model = Pairing

    async def active_for_helper(self, helper_id: uuid.UUID) -> list[Pairing]:
        stmt = select(Pairing).where(Pairing.helper_id == helper_id, Pairing.ended_on.is_(None))
        return list((await self.session.execute(stmt.order_by(Pairing.started_on, Pairing.id))).scalars())

    async def active_for_target(self, target_id: str) -> list[Pairing]:
        stmt = select(Pairing).where(Pairing.target_id == target_id, Pairing.ended_on.is_(None))
        return list((await self.session.execute(stmt.order_by(Pairing.started_on, Pairing.id))).scalars())

    async def active_by_target(self, target_ids: Iterable[str]) -> dict[str, list[Pairing]]:
        """The active pairings of each of these targets (any kind), oldest first."""
        stmt = select(Pairing).where(Pairing.target_id.in_(list(target_ids)), Pairing.ended_on.is_(None))
        found: dict[str, list[Pairing]] = {}
        for pairing in (await self.session.execute(stmt.order_by(Pairing.started_on, Pairing.id))).scalars():
            found.setdefault(pairing.target_id, []).append(pairing)
        return found

    async def active_for_targets(self, target_ids: Iterable[str], *, kind: str) -> list[Pairing]:
        stmt = select(Pairing).where(
            Pairing.target_id.in_(list(target_ids)), Pairing.kind == kind, Pairing.ended_on.is_(None)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def targets_with_active(self, target_ids: Iterable[str]) -> set[str]:
        stmt = select(Pairing.target_id).where(
            Pairing.target_id.in_(list(target_ids)), Pairing.ended_on.is_(None)
        )
        return set((await self.session.execute(stmt)).scalars())

    async def history_for(self, *, helper_id: uuid.UUID, target_id: str, kind: str) -> list[Pairing]:
        stmt = select(Pairing).where(
            Pairing.helper_id == helper_id, Pairing.target_id == target_id, Pairing.kind == kind
        )
        return list((await self.session.execute(stmt)).scalars())

    async def page(
        self,
        *,
        prefix: str,
        kind: str | None = None,
        helper_id: uuid.UUID | None = None,
        target_id: str | None = None,
        active: bool | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Slice[Pairing]:
        stmt = select(Pairing).where(Pairing.area_code.startswith(prefix))
        if kind:
            stmt = stmt.where(Pairing.kind == kind)
        if helper_id:
            stmt = stmt.where(Pairing.helper_id == helper_id)
        if target_id:
            stmt = stmt.where(Pairing.target_id == target_id)
        if active is not None:
            stmt = stmt.where(Pairing.ended_on.is_(None) if active else Pairing.ended_on.is_not(None))
        return await self.keyset(stmt, key=(Pairing.id,), cursor=cursor, limit=limit)

    async def cadre_loads(self, helper_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        stmt = (
            select(Pairing.helper_id, func.count())
            .where(
                Pairing.helper_id.in_(list(helper_ids)),
                Pairing.kind == "cadre_household",
                Pairing.ended_on.is_(None),
            )
            .group_by(Pairing.helper_id)
        )
        return {helper_id: int(n) for helper_id, n in (await self.session.execute(stmt)).all()}

    async def move_target(self, target_id: str, *, area_code: str) -> None:
        stmt = (
            update(Pairing)
            .where(Pairing.target_id == target_id, Pairing.ended_on.is_(None))
            .values(area_code=area_code)
        )
        await self.session.execute(stmt)

    async def end(self, pairing: Pairing, *, on: date, reason: str) -> None:
        pairing.ended_on = on
        pairing.end_reason = reason
        await self.session.flush()
