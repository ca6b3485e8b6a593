from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.funds.ledger.rules import lock_order
from services.funds.models import Account, Budget
from shared.repository import Repository, Slice


class AccountRepository(Repository[Account]):
    model = Account
    page_key = ("code",)

    async def lock(self, codes: Iterable[str]) -> dict[str, Account]:
        """Row-lock the accounts in one fixed order (by code) so concurrent transfers never deadlock."""
        ordered = lock_order(codes)
        stmt = select(Account).where(Account.code.in_(ordered)).order_by(Account.code).with_for_update()
        rows = (await self.session.execute(stmt.execution_options(populate_existing=True))).scalars()
        return {a.code: a for a in rows}

    async def page(self, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Account]:
        return await self.area_page(area_prefix, cursor, limit, Account.kind != "payout")

    async def sources_at(self, area_codes: Iterable[str]) -> dict[str, list[str]]:
        """Source accounts whose own area is exactly one of ``area_codes`` (a town's own budget)."""
        codes = sorted(set(area_codes))
        if not codes:
            return {}
        stmt = (
            select(Account.area_code, Account.code)
            .where(Account.kind == "source", Account.area_code.in_(codes))
            .order_by(Account.code)
        )
        found: dict[str, list[str]] = {}
        for area, code in (await self.session.execute(stmt)).all():
            found.setdefault(area, []).append(code)
        return found

    async def add_budget(self, code: str, year: int, amount_fen: int) -> Budget | None:
        """Insert a new year's budget; None if a concurrent request created it first."""
        stmt = (
            insert(Budget)
            .values(account_code=code, year=year, amount_fen=amount_fen, version=1)
            .on_conflict_do_nothing(index_elements=["account_code", "year"])
            .returning(Budget)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def budget(self, code: str, year: int, *, lock: bool = False) -> Budget | None:
        stmt = select(Budget).where(Budget.account_code == code, Budget.year == year)
        if lock:  # a change holds the row from its If-Match check to its write
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def budgets(self, code: str) -> list[Budget]:
        stmt = select(Budget).where(Budget.account_code == code).order_by(Budget.year)
        return list((await self.session.execute(stmt)).scalars())
