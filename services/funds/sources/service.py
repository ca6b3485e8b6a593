"""Fund sources and accounts with yearly budgets."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.errors import AccountExists, AccountNotFound, BudgetNotFound, outside_your_area
from services.funds.models import Account, Budget
from services.funds.sources.repository import AccountRepository
from services.funds.sources.schemas import AccountIn, AccountOut
from shared import audit
from shared.auth import Principal
from shared.clock import clock
from shared.errors import PreconditionRequired
from shared.http import check_put_precondition
from shared.repository import Slice

__all__ = [
    "get_budget",
    "budgets",
    "get_visible",
    "open_account",
    "page",
    "payout_code",
    "set_budget",
]


def payout_code(holding_code: str) -> str:
    """Every holding account has a payout account: money that has reached its beneficiaries."""
    return f"{holding_code}.paid"


async def get_visible(session: AsyncSession, *, actor: Principal, code: str) -> Account:
    missing = AccountNotFound(f"Account {code} does not exist in your area", account=code)
    return await AccountRepository(session).get_in_area(code, actor, missing)


async def page(session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Account]:
    """Source and holding accounts; a holding account's payout account is not listed."""
    return await AccountRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)


async def budgets(session: AsyncSession, *, actor: Principal, code: str) -> list[Budget]:
    await get_visible(session, actor=actor, code=code)
    return await AccountRepository(session).budgets(code)


async def open_account(session: AsyncSession, *, actor: Principal, data: AccountIn) -> Account:
    repo = AccountRepository(session)
    if not actor.covers(data.area_code):
        raise outside_your_area(data.area_code)
    if await repo.get(data.code) is not None or await repo.get(payout_code(data.code)) is not None:
        raise AccountExists(
            f"Account {data.code} exists already", detail_zh=f"账户{data.code}已存在", account=data.code
        )
    # The office's date (China time), not the database server's: its current_date is UTC's date
    # from 00:00 to 08:00 Beijing time and ignores the platform clock.
    opened_on = clock.today()
    account = Account(
        code=data.code,
        name=data.name,
        area_code=data.area_code,
        kind=data.kind,
        balance_fen=0,
        opened_on=opened_on,
    )
    await repo.add(account, refresh=True)
    if data.kind == "holding":
        await repo.add(
            Account(
                code=payout_code(data.code),
                name=f"{data.name}(已拨付)",
                area_code=data.area_code,
                kind="payout",
                balance_fen=0,
                opened_on=opened_on,
            )
        )
    await audit.record(
        session,
        actor,
        "account.opened",
        ("account", data.code),
        after=AccountOut.model_validate(account).model_dump(),
    )
    return account


async def get_budget(session: AsyncSession, *, actor: Principal, code: str, year: int) -> Budget:
    await get_visible(session, actor=actor, code=code)
    budget = await AccountRepository(session).budget(code, year)
    if budget is None:
        raise BudgetNotFound(f"Account {code} has no budget for {year}", account=code, year=year)
    return budget


async def set_budget(
    session: AsyncSession, *, actor: Principal, code: str, year: int, amount_fen: int, if_match: str | None
) -> Budget:
    """Create a year's budget (no If-Match needed) or change it (If-Match: the ETag you read)."""
    await get_visible(session, actor=actor, code=code)
    repo = AccountRepository(session)
    budget = await repo.budget(code, year, lock=True)
    check_put_precondition(if_match, budget.version if budget else None)
    before_amount = budget.amount_fen if budget else None
    if budget is None:
        budget = await repo.add_budget(code, year, amount_fen)
        if budget is None:  # a concurrent request created it since our read: this is now a change
            raise PreconditionRequired.created_meanwhile(
                "created this budget", "设立了该来源本年度的预算", account=code, year=year
            )
    else:
        budget.amount_fen = amount_fen
        budget.version += 1
        await session.flush()
    await audit.record(
        session,
        actor,
        "budget.set",
        ("account", code),
        before={"year": year, "amount_fen": before_amount},
        after={"year": year, "amount_fen": amount_fen, "version": budget.version},
    )
    return budget
