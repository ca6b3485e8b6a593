from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.funds.models import Disbursement, Plan
from shared.repository import Repository, Slice


class DisbursementRepository(Repository[Disbursement]):
    model = Disbursement

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

    async def page(
        self,
        *,
        area_prefix: str,
        beneficiary_id: str | None,
        cursor: str | None,
        limit: int,
        households: set[str] | None = None,
    ) -> Slice[Disbursement]:
        """Newest first."""
        stmt = select(Disbursement).where(Disbursement.area_code.startswith(area_prefix))
        if households is not None:  # a cadre: what was paid to their own households
            stmt = stmt.where(
                Disbursement.beneficiary_kind == "household", Disbursement.beneficiary_id.in_(households)
            )
        if beneficiary_id is not None:
            stmt = stmt.where(Disbursement.beneficiary_id == beneficiary_id)
        key = (Disbursement.created_at, Disbursement.id)
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit, descending=True)
