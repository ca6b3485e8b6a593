from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.funds.deps import Finance, TodayDep
from services.funds.ledger import schemas, service
from shared import cadres
from shared.answers import AreaPage, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.shaping import from_row

router = APIRouter(prefix="/ledger", tags=["ledger"], dependencies=[cadres.CADRE_READS_REFUSED])


def _out(booked: service.Booked) -> schemas.TransactionOut:
    t = booked.transaction
    return from_row(
        schemas.TransactionOut, t, postings=[schemas.PostingOut.model_validate(p) for p in booked.postings]
    )


@router.post("/transfers", status_code=201, response_model=schemas.TransactionOut)
async def transfer(
    body: schemas.TransferIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> schemas.TransactionOut:
    return await idem.answer(_out(await service.record_transfer(session, actor=user, data=body, on=today)))


@router.post("/transactions/{txn_id}/reverse", status_code=201, response_model=schemas.TransactionOut)
async def reverse(
    txn_id: uuid.UUID,
    body: schemas.ReversalIn,
    session: SessionDep,
    user: Finance,
    today: TodayDep,
    idem: IdempotencyDep,
) -> schemas.TransactionOut:
    reversal = await service.record_reversal(session, actor=user, txn_id=txn_id, reason=body.reason, on=today)
    return await idem.answer(_out(reversal))


@router.get("/transactions/{txn_id}", response_model=schemas.TransactionOut)
async def get_transaction(
    txn_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> schemas.TransactionOut:
    return _out(await service.read(session, actor=user, txn_id=txn_id))


@router.get("/transactions", response_model=Page[schemas.TransactionOut])
async def list_transactions(session: SessionDep, q: AreaPage) -> Page[schemas.TransactionOut]:
    return page_of(_out, await service.page(session, **q.args))
