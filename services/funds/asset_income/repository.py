from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.funds.models import AssetIncomeAgreement, AssetIncomeDistribution, Disbursement
from shared.repository import Repository, Slice


class AssetIncomeRepository(Repository[AssetIncomeAgreement]):
    model = AssetIncomeAgreement  # get(lock=True): one distribution of an agreement at a time

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[AssetIncomeAgreement]:
        return await self.area_page(area_prefix, cursor, limit)

    async def disbursed_by_year(self, component: str) -> dict[int, int]:
        """What reached the households per year under one agreement (reversed payments excluded)."""
        stmt = (
            select(Disbursement.year, func.sum(Disbursement.amount_fen))
            .where(Disbursement.component == component, Disbursement.reversed_by.is_(None))
            .group_by(Disbursement.year)
        )
        return {int(y): int(a) for y, a in (await self.session.execute(stmt)).all() if y is not None}


class DistributionRepository(Repository[AssetIncomeDistribution]):
    model = AssetIncomeDistribution

    async def of_agreement(self, agreement_id: uuid.UUID) -> list[AssetIncomeDistribution]:
        return await self.filtered(
            AssetIncomeDistribution.agreement_id == agreement_id, order_by=[AssetIncomeDistribution.year]
        )
