from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.funds.models import Account, Budget, BudgetDeclaration
from shared.repository import Repository


class DeclarationRepository(Repository[BudgetDeclaration]):
    """Keyed by ``(area_code, year)``; a change holds the row (``lock=True``) from its If-Match check
    to its write."""

    model = BudgetDeclaration

    async def add_first(
        self, *, area_code: str, year: int, increase_fen: int, recovered_fen: int, actor: str
    ) -> BudgetDeclaration | None:
        """Insert a new year's declaration; None if a concurrent request created it first."""
        stmt = (
            insert(BudgetDeclaration)
            .values(
                area_code=area_code,
                year=year,
                local_revenue_increase_fen=increase_fen,
                recovered_idle_funds_fen=recovered_fen,
                version=1,
                declared_by=actor,
            )
            .on_conflict_do_nothing(index_elements=["area_code", "year"])
            .returning(BudgetDeclaration)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def source_budgets(self, area_prefix: str, year: int) -> list[tuple[str, int]]:
        """(account area code, budget) of every source account's budget for the year in the subtree."""
        stmt = (
            select(Account.area_code, Budget.amount_fen)
            .join(Budget, Budget.account_code == Account.code)
            .where(Account.area_code.startswith(area_prefix), Account.kind == "source", Budget.year == year)
        )
        return [(a, int(f)) for a, f in (await self.session.execute(stmt)).all()]
