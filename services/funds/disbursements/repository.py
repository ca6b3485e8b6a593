from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, tuple_

from services.funds.models import Disbursement, Plan
from shared.repository import Repository


class DisbursementRepository(Repository):
    async def add(self, disbursement: Disbursement) -> None:
        self.session.add(disbursement)
        await self.session.flush()

    async def get(self, disbursement_id: uuid.UUID, *, lock: bool = False) -> Disbursement | None:
        stmt = select(Disbursement).where(Disbursement.id == disbursement_id)
        if lock:
            stmt = stmt.with_for_update()
        return (
            await self.session.execute(stmt.execution_options(populate_existing=True))
        ).scalar_one_or_none()

    async def disbursed(self, kind: str, ref_id: str, plan_id: uuid.UUID | None = None) -> int:
        """What has reached a beneficiary so far (reversed payments do not count). For a plan:
        what it was paid under any plan of the same scheme, so a household that moved to another
        village's plan is owed what is left of its share there, not the whole share again."""
        stmt = select(func.coalesce(func.sum(Disbursement.amount_fen), 0)).where(
            Disbursement.beneficiary_kind == kind,
            Disbursement.beneficiary_id == ref_id,
            Disbursement.reversed_by.is_(None),
        )
        if plan_id is not None:
            same_scheme = select(Plan.id).where(
                Plan.scheme_code == select(Plan.scheme_code).where(Plan.id == plan_id).scalar_subquery()
            )
            stmt = stmt.where(Disbursement.plan_id.in_(same_scheme))
        return int((await self.session.execute(stmt)).scalar_one())

    async def live_in_area(self, area_prefix: str) -> list[Disbursement]:
        stmt = select(Disbursement).where(
            Disbursement.area_code.startswith(area_prefix), Disbursement.reversed_by.is_(None)
        )
        return list((await self.session.execute(stmt.order_by(Disbursement.created_at))).scalars())

    async def page(
        self,
        *,
        area_prefix: str,
        beneficiary_id: str | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
        households: set[str] | None = None,
    ) -> list[Disbursement]:
        stmt = select(Disbursement).where(Disbursement.area_code.startswith(area_prefix))
        if households is not None:  # a cadre: what was paid to their own households
            stmt = stmt.where(
                Disbursement.beneficiary_kind == "household", Disbursement.beneficiary_id.in_(households)
            )
        if beneficiary_id is not None:
            stmt = stmt.where(Disbursement.beneficiary_id == beneficiary_id)
        if after is not None:
            stmt = stmt.where(tuple_(Disbursement.created_at, Disbursement.id) < tuple_(*after))
        stmt = stmt.order_by(Disbursement.created_at.desc(), Disbursement.id.desc()).limit(limit)
        return list((await self.session.execute(stmt)).scalars())
