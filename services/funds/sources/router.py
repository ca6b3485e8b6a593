from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.funds.deps import Finance
from services.funds.sources import service
from services.funds.sources.schemas import AccountIn, AccountOut, BudgetIn, BudgetOut
from shared import cadres
from shared.auth import AreaScope, CurrentUser
from shared.db import SessionDep
from shared.http import IfMatch, etag
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/accounts", tags=["sources"], dependencies=[cadres.CADRE_READS_REFUSED])
BudgetYear = Annotated[int, Path(ge=2000, le=2100)]


@router.post("", status_code=201, response_model=AccountOut)
async def open_account(
    body: AccountIn, session: SessionDep, user: Finance, idem: IdempotencyDep
) -> AccountOut:
    out = AccountOut.model_validate(await service.open_account(session, actor=user, data=body))
    await idem.save(201, out)
    return out


@router.get("", response_model=Page[AccountOut])
async def list_accounts(
    session: SessionDep, scope: AreaScope, limit: Limit = 50, cursor: Cursor = None
) -> Page[AccountOut]:
    accounts = await service.page(session, area_prefix=scope, cursor=cursor, limit=limit)
    return Page[AccountOut](**accounts.map(AccountOut.model_validate))


@router.get("/{code}", response_model=AccountOut)
async def get_account(code: str, session: SessionDep, user: CurrentUser) -> AccountOut:
    return AccountOut.model_validate(await service.get_visible(session, actor=user, code=code))


@router.put("/{code}/budgets/{year}", response_model=BudgetOut)
async def set_budget(
    code: str,
    year: BudgetYear,
    body: BudgetIn,
    session: SessionDep,
    user: Finance,
    response: Response,
    if_match: IfMatch = None,
) -> BudgetOut:
    """Set a year's budget: creating it needs no If-Match; changing it needs the ETag you read
    (`GET .../budgets/{year}`) in If-Match (428 without, 412 if someone changed it meanwhile)."""
    budget = await service.set_budget(
        session, actor=user, code=code, year=year, amount_fen=body.amount_fen, if_match=if_match
    )
    response.headers["ETag"] = etag(budget.version)
    return BudgetOut.model_validate(budget)


@router.get("/{code}/budgets/{year}", response_model=BudgetOut)
async def get_budget(
    code: str, year: BudgetYear, session: SessionDep, user: CurrentUser, response: Response
) -> BudgetOut:
    budget = await service.get_budget(session, actor=user, code=code, year=year)
    response.headers["ETag"] = etag(budget.version)
    return BudgetOut.model_validate(budget)


@router.get("/{code}/budgets", response_model=list[BudgetOut])
async def list_budgets(code: str, session: SessionDep, user: CurrentUser) -> list[BudgetOut]:
    return [BudgetOut.model_validate(b) for b in await service.budgets(session, actor=user, code=code)]
