from __future__ import annotations

import uuid

from sqlalchemy import select

from services.registry.models import IdentityConflict
from shared.repository import Repository, Slice


class ConflictRepository(Repository[IdentityConflict]):
    model = IdentityConflict

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

    async def queue(
        self, prefix: str, *, status: str | None, cursor: str | None, limit: int
    ) -> Slice[IdentityConflict]:
        """Conflicts routed to ``prefix`` or to a level under it (the caller covers both areas)."""
        stmt = select(IdentityConflict).where(
            IdentityConflict.queue_prefix.startswith(prefix, autoescape=True)
        )
        if status is not None:
            stmt = stmt.where(IdentityConflict.status == status)
        key = (IdentityConflict.opened_on, IdentityConflict.id)
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit)
