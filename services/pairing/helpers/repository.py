"""All SQL about helpers and their postings."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.pairing.models import Helper, PostingPeriod
from shared.repository import Repository


class HelperRepository(Repository):
    async def add(self, helper: Helper) -> Helper:
        self.session.add(helper)
        await self.session.flush()
        return helper

    async def get(self, helper_id: uuid.UUID, *, for_update: bool = False) -> Helper | None:
        stmt = select(Helper).where(Helper.id == helper_id)
        if for_update:
            # Serialises pairings of one helper, so two requests cannot both take the last slot.
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_user_sub(self, sub: str) -> Helper | None:
        return (await self.session.execute(select(Helper).where(Helper.user_sub == sub))).scalar_one_or_none()

    async def page(
        self, *, prefix: str, kind: str | None, after: uuid.UUID | None, limit: int
    ) -> list[Helper]:
        stmt = select(Helper).where(Helper.area_code.startswith(prefix)).order_by(Helper.id).limit(limit)
        if kind:
            stmt = stmt.where(Helper.kind == kind)
        if after:
            stmt = stmt.where(Helper.id > after)
        return list((await self.session.execute(stmt)).scalars())

    async def active_of_kinds(self, *, prefix: str, kinds: list[str], lock: bool = False) -> list[Helper]:
        stmt = (
            select(Helper)
            .where(Helper.area_code.startswith(prefix), Helper.kind.in_(kinds), Helper.active.is_(True))
            .order_by(Helper.id)
        )
        if lock:
            stmt = stmt.with_for_update()
        return list((await self.session.execute(stmt)).scalars())

    async def add_posting(self, posting: PostingPeriod) -> PostingPeriod:
        self.session.add(posting)
        await self.session.flush()
        return posting

    async def postings(self, helper_id: uuid.UUID) -> list[PostingPeriod]:
        stmt = (
            select(PostingPeriod)
            .where(PostingPeriod.helper_id == helper_id)
            .order_by(PostingPeriod.started_on)
        )
        return list((await self.session.execute(stmt)).scalars())
