from __future__ import annotations

from sqlalchemy import select

from services.funds.models import Account, Budget, BudgetDeclaration
from shared.repository import KeyedRepository


class DeclarationRepository(KeyedRepository[BudgetDeclaration]):
    """Keyed by ``(area_code, year)``; a change holds the row (``lock=True``) from its If-Match check
    to its write."""

    model = BudgetDeclaration
    key = ("area_code", "year")

    async def source_budgets(self, area_prefix: str, year: int) -> list[tuple[str, int]]:
        """(account area code, budget) of every source account's budget for the year in the subtree."""
        stmt = (
            select(Account.area_code, Budget.amount_fen)
            .join(Budget, Budget.account_code == Account.code)
            .where(Account.area_code.startswith(area_prefix), Account.kind == "source", Budget.year == year)
        )
        return [(a, int(f)) for a, f in (await self.session.execute(stmt)).all()]
