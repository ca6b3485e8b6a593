from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, tuple_

from services.registry.models import IdentityConflict
from shared.repository import Repository


class ConflictRepository(Repository):
    async def get(self, conflict_id: uuid.UUID, *, lock: bool = False) -> IdentityConflict | None:
        stmt = select(IdentityConflict).where(IdentityConflict.id == conflict_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def open_for(
        self, *, resident_id_hash: str, held_member_id: uuid.UUID, claim_area_code: str, claim_kind: str
    ) -> IdentityConflict | None:
        """The same claim sent again finds its open conflict instead of opening a second one."""
        stmt = select(IdentityConflict).where(
            IdentityConflict.resident_id_hash == resident_id_hash,
            IdentityConflict.held_member_id == held_member_id,
            IdentityConflict.claim_area_code == claim_area_code,
            IdentityConflict.claim_kind == claim_kind,
            IdentityConflict.status == "open",
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def add(self, conflict: IdentityConflict) -> None:
        self.session.add(conflict)
        await self.session.flush()

    async def queue(
        self, prefix: str, *, status: str | None, after: tuple[date, uuid.UUID] | None, limit: int
    ) -> list[IdentityConflict]:
        """Conflicts routed to ``prefix`` or to a level under it (the caller covers both areas)."""
        stmt = select(IdentityConflict).where(
            IdentityConflict.queue_prefix.startswith(prefix, autoescape=True)
        )
        if status is not None:
            stmt = stmt.where(IdentityConflict.status == status)
        if after is not None:
            stmt = stmt.where(tuple_(IdentityConflict.opened_on, IdentityConflict.id) > tuple_(*after))
        stmt = stmt.order_by(IdentityConflict.opened_on, IdentityConflict.id).limit(limit)
        return list((await self.session.execute(stmt)).scalars())
