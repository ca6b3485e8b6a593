from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.funds.asset_income import schemas, service
from services.funds.deps import Finance, TodayDep
from shared import cadres
from shared.answers import AreaPage, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.shaping import from_row

router = APIRouter(
    prefix="/asset-income/agreements", tags=["asset income"], dependencies=[cadres.CADRE_READS_REFUSED]
)


@router.post("", status_code=201, response_model=schemas.AgreementOut)
async def sign(
    body: schemas.AgreementIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> schemas.AgreementOut:
    """Record a four-party agreement. A dividend rate below the policy floor in force is refused (422);
    households not registered (or gone) are refused (409) as a disbursement to them would be. A
    household listed twice is 422."""
    return await idem.answer(service.to_out(await service.sign(session, actor=user, data=body, on=today)))


@router.get("", response_model=Page[schemas.AgreementOut])
async def list_agreements(session: SessionDep, q: AreaPage) -> Page[schemas.AgreementOut]:
    return page_of(service.to_out, await service.page(session, **q.args))


@router.get("/{agreement_id}", response_model=schemas.AgreementOut)
async def get_agreement(
    agreement_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> schemas.AgreementOut:
    return service.to_out(await service.get_visible(session, actor=user, agreement_id=agreement_id))


@router.post("/{agreement_id}/distributions", status_code=201, response_model=schemas.DistributionOut)
async def distribute(
    agreement_id: uuid.UUID,
    body: schemas.DistributionIn,
    session: SessionDep,
    user: Finance,
    today: TodayDep,
    idem: IdempotencyDep,
) -> schemas.DistributionOut:
    """The enterprise pays the year's dividend in (ledger receipt), split to the households by shares
    to the fen and paid out as disbursements. 409 if the year was distributed already, is outside the
    term, or a household can no longer be paid."""
    row = await service.distribute(session, actor=user, agreement_id=agreement_id, data=body, on=today)
    return await idem.created(schemas.DistributionOut, row)


@router.get("/{agreement_id}/distributions", response_model=list[schemas.DistributionOut])
async def list_distributions(
    agreement_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> list[schemas.DistributionOut]:
    rows = await service.distributions(session, actor=user, agreement_id=agreement_id)
    return [schemas.DistributionOut.model_validate(r) for r in rows]


@router.get("/{agreement_id}/dividends", response_model=list[schemas.DividendYearOut])
async def dividends(
    agreement_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> list[schemas.DividendYearOut]:
    """Report: per year of the term, dividends due (guaranteed + dividend) vs paid in vs disbursed."""
    return [
        from_row(schemas.DividendYearOut, y)
        for y in await service.dividends_by_year(session, actor=user, agreement_id=agreement_id)
    ]
