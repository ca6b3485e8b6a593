from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter

from services.funds.deps import Finance, TodayDep
from services.funds.disbursements import schemas, service
from shared.answers import AreaPage, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(tags=["disbursements"])


@router.post("/disbursements", status_code=201, response_model=schemas.DisbursementOut)
async def disburse(
    body: schemas.DisbursementIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> schemas.DisbursementOut:
    return await idem.created(
        schemas.DisbursementOut, await service.disburse(session, actor=user, data=body, on=today)
    )


@router.post("/disbursements/{disbursement_id}/reverse", response_model=schemas.DisbursementOut)
async def reverse(
    disbursement_id: uuid.UUID,
    body: schemas.DisbursementReversalIn,
    session: SessionDep,
    user: Finance,
    today: TodayDep,
    idem: IdempotencyDep,
) -> schemas.DisbursementOut:
    row = await service.reverse(
        session, actor=user, disbursement_id=disbursement_id, reason=body.reason, on=today
    )
    return await idem.created(schemas.DisbursementOut, row, 200)


@router.get("/disbursements", response_model=Page[schemas.DisbursementOut])
async def list_disbursements(
    session: SessionDep, user: CurrentUser, q: AreaPage, beneficiary_id: str | None = None
) -> Page[schemas.DisbursementOut]:
    return page_of(
        schemas.DisbursementOut,
        await service.page(session, actor=user, beneficiary_id=beneficiary_id, **q.args),
    )


@router.get("/disbursements/{disbursement_id}", response_model=schemas.DisbursementOut)
async def get_disbursement(
    disbursement_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> schemas.DisbursementOut:
    return schemas.DisbursementOut.model_validate(
        await service.get_visible(session, actor=user, disbursement_id=disbursement_id)
    )


@router.get("/entitlements/{kind}/{ref_id}", response_model=schemas.EntitlementOut)
async def entitlement(
    kind: Literal["household", "village", "project"],
    ref_id: str,
    session: SessionDep,
    user: CurrentUser,
    plan_id: uuid.UUID | None = None,
) -> schemas.EntitlementOut:
    entitled, disbursed = await service.entitlement(
        session, actor=user, kind=kind, ref_id=ref_id, plan_id=plan_id
    )
    return schemas.EntitlementOut(
        beneficiary_kind=kind,
        beneficiary_id=ref_id,
        entitlement_fen=entitled,
        disbursed_fen=disbursed,
        left_fen=max(entitled - disbursed, 0),
    )
