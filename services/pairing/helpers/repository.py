"""All SQL about helpers and their postings."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.pairing.models import EnterpriseEmployment, Helper, PostingPeriod
from shared.repository import Repository, Slice


class HelperRepository(Repository[Helper]):
    """``get(id, lock=True)`` serialises pairings of one helper, so two requests cannot both take
    the last slot."""

    model = Helper

    async def by_user_sub(self, sub: str) -> Helper | None:
        return (await self.session.execute(select(Helper).where(Helper.user_sub == sub))).scalar_one_or_none()

    async def page(self, *, prefix: str, kind: str | None, cursor: str | None, limit: int) -> Slice[Helper]:
        stmt = select(Helper).where(Helper.area_code.startswith(prefix))
        if kind:
            stmt = stmt.where(Helper.kind == kind)
        return await self.keyset(stmt, key=(Helper.id,), cursor=cursor, limit=limit)

    async def active_of_kinds(self, *, prefix: str, kinds: list[str], lock: bool = False) -> list[Helper]:
        stmt = (
            select(Helper)
            .where(Helper.area_code.startswith(prefix), Helper.kind.in_(kinds), Helper.active.is_(True))
            .order_by(Helper.id)
        )
        if lock:
            stmt = stmt.with_for_update()
        return list((await self.session.execute(stmt)).scalars())

    async def postings(self, helper_id: uuid.UUID) -> list[PostingPeriod]:
        stmt = (
            select(PostingPeriod)
            .where(PostingPeriod.helper_id == helper_id)
            .order_by(PostingPeriod.started_on)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def employments(self, helper_id: uuid.UUID) -> list[EnterpriseEmployment]:
        stmt = (
            select(EnterpriseEmployment)
            .where(EnterpriseEmployment.helper_id == helper_id)
            .order_by(EnterpriseEmployment.started_on, EnterpriseEmployment.id)
        )
        return list((await self.session.execute(stmt)).scalars())
