from __future__ import annotations

from fastapi import APIRouter, Response

from services.funds.deps import Finance, FinanceWrite
from services.funds.sources import schemas, service
from shared import cadres
from shared.answers import AreaPage, YearPath, page_of, tagged
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(prefix="/accounts", tags=["sources"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("", status_code=201, response_model=schemas.AccountOut)
async def open_account(
    body: schemas.AccountIn, session: SessionDep, user: Finance, idem: IdempotencyDep
) -> schemas.AccountOut:
    return await idem.created(schemas.AccountOut, await service.open_account(session, actor=user, data=body))


@router.get("", response_model=Page[schemas.AccountOut])
async def list_accounts(session: SessionDep, q: AreaPage) -> Page[schemas.AccountOut]:
    return page_of(schemas.AccountOut, await service.page(session, **q.args))


@router.get("/{code}", response_model=schemas.AccountOut)
async def get_account(code: str, session: SessionDep, user: CurrentUser) -> schemas.AccountOut:
    return schemas.AccountOut.model_validate(await service.get_visible(session, actor=user, code=code))


@router.put("/{code}/budgets/{year}", response_model=schemas.BudgetOut)
async def set_budget(
    code: str,
    year: YearPath,
    body: schemas.BudgetIn,
    write: FinanceWrite,
) -> schemas.BudgetOut:
    """Set a year's budget: creating it needs no If-Match; changing it needs the ETag you read
    (`GET .../budgets/{year}`) in If-Match (428 without, 412 if someone changed it meanwhile)."""
    budget = await service.set_budget(**write.args, code=code, year=year, amount_fen=body.amount_fen)
    return write.tagged(schemas.BudgetOut, budget)


@router.get("/{code}/budgets/{year}", response_model=schemas.BudgetOut)
async def get_budget(
    code: str, year: YearPath, session: SessionDep, user: CurrentUser, response: Response
) -> schemas.BudgetOut:
    return tagged(
        response, schemas.BudgetOut, await service.get_budget(session, actor=user, code=code, year=year)
    )


@router.get("/{code}/budgets", response_model=list[schemas.BudgetOut])
async def list_budgets(code: str, session: SessionDep, user: CurrentUser) -> list[schemas.BudgetOut]:
    return [
        schemas.BudgetOut.model_validate(b) for b in await service.budgets(session, actor=user, code=code)
    ]
