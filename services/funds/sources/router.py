from __future__ import annotations

from fastapi import APIRouter, Response

from services.funds.deps import Finance, FinanceWrite
from services.funds.sources import service
from services.funds.sources.schemas import AccountIn, AccountOut, BudgetIn, BudgetOut
from shared import cadres
from shared.answers import AreaPage, YearPath, page_of, tagged
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(prefix="/accounts", tags=["sources"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("", status_code=201, response_model=AccountOut)
async def open_account(
    body: AccountIn, session: SessionDep, user: Finance, idem: IdempotencyDep
) -> AccountOut:
    return await idem.created(AccountOut, await service.open_account(session, actor=user, data=body))


@router.get("", response_model=Page[AccountOut])
async def list_accounts(session: SessionDep, q: AreaPage) -> Page[AccountOut]:
    return page_of(AccountOut, await service.page(session, **q.args))


@router.get("/{code}", response_model=AccountOut)
async def get_account(code: str, session: SessionDep, user: CurrentUser) -> AccountOut:
    return AccountOut.model_validate(await service.get_visible(session, actor=user, code=code))


@router.put("/{code}/budgets/{year}", response_model=BudgetOut)
async def set_budget(
    code: str,
    year: YearPath,
    body: BudgetIn,
    write: FinanceWrite,
) -> BudgetOut:
    """Set a year's budget: creating it needs no If-Match; changing it needs the ETag you read
    (`GET .../budgets/{year}`) in If-Match (428 without, 412 if someone changed it meanwhile)."""
    budget = await service.set_budget(**write.args, code=code, year=year, amount_fen=body.amount_fen)
    return write.tagged(BudgetOut, budget)


@router.get("/{code}/budgets/{year}", response_model=BudgetOut)
async def get_budget(
    code: str, year: YearPath, session: SessionDep, user: CurrentUser, response: Response
) -> BudgetOut:
    return tagged(response, BudgetOut, await service.get_budget(session, actor=user, code=code, year=year))


@router.get("/{code}/budgets", response_model=list[BudgetOut])
async def list_budgets(code: str, session: SessionDep, user: CurrentUser) -> list[BudgetOut]:
    return [BudgetOut.model_validate(b) for b in await service.budgets(session, actor=user, code=code)]
