from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.funds.models import AssetIncomeAgreement, AssetIncomeDistribution, Disbursement
from shared.repository import Repository


class AssetIncomeRepository(Repository):
    async def add(self, *rows: AssetIncomeAgreement | AssetIncomeDistribution) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def get(self, agreement_id: uuid.UUID, *, lock: bool = False) -> AssetIncomeAgreement | None:
        stmt = select(AssetIncomeAgreement).where(AssetIncomeAgreement.id == agreement_id)
        if lock:  # one distribution of an agreement at a time
            stmt = stmt.with_for_update()
        return (
            await self.session.execute(stmt.execution_options(populate_existing=True))
        ).scalar_one_or_none()

    async def page(self, *, area_prefix: str, after: str | None, limit: int) -> list[AssetIncomeAgreement]:
        stmt = select(AssetIncomeAgreement).where(AssetIncomeAgreement.area_code.startswith(area_prefix))
        if after is not None:
            stmt = stmt.where(AssetIncomeAgreement.id > uuid.UUID(after))
        return list(
            (await self.session.execute(stmt.order_by(AssetIncomeAgreement.id).limit(limit))).scalars()
        )

    async def distributions(self, agreement_id: uuid.UUID) -> list[AssetIncomeDistribution]:
        stmt = (
            select(AssetIncomeDistribution)
            .where(AssetIncomeDistribution.agreement_id == agreement_id)
            .order_by(AssetIncomeDistribution.year)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def disbursed_by_year(self, component: str) -> dict[int, int]:
        """What reached the households per year under one agreement (reversed payments excluded)."""
        stmt = (
            select(Disbursement.year, func.sum(Disbursement.amount_fen))
            .where(Disbursement.component == component, Disbursement.reversed_by.is_(None))
            .group_by(Disbursement.year)
        )
        return {int(y): int(a) for y, a in (await self.session.execute(stmt)).all() if y is not None}
