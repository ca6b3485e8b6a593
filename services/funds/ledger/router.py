from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.funds import paging
from services.funds.deps import Finance, TodayDep
from services.funds.ledger import service
from services.funds.ledger.repository import LedgerRepository
from services.funds.ledger.schemas import ReversalIn, TransactionOut, TransferIn
from shared import cadres
from shared.auth import AreaScope, CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(prefix="/ledger", tags=["ledger"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("/transfers", status_code=201, response_model=TransactionOut)
async def transfer(
    body: TransferIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> TransactionOut:
    txn = await service.transfer(session, actor=user, data=body, on=today)
    [out] = await service.to_out(session, [txn])
    await idem.save(201, out)
    return out


@router.post("/transactions/{txn_id}/reverse", status_code=201, response_model=TransactionOut)
async def reverse(
    txn_id: uuid.UUID,
    body: ReversalIn,
    session: SessionDep,
    user: Finance,
    today: TodayDep,
    idem: IdempotencyDep,
) -> TransactionOut:
    txn = await service.reverse(session, actor=user, txn_id=txn_id, reason=body.reason, on=today)
    [out] = await service.to_out(session, [txn])
    await idem.save(201, out)
    return out


@router.get("/transactions/{txn_id}", response_model=TransactionOut)
async def get_transaction(txn_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> TransactionOut:
    [out] = await service.to_out(session, [await service.get_visible(session, actor=user, txn_id=txn_id)])
    return out


@router.get("/transactions", response_model=Page[TransactionOut])
async def list_transactions(
    session: SessionDep, scope: AreaScope, limit: Limit = 50, cursor: Cursor = None
) -> Page[TransactionOut]:
    after = paging.after_time_id(cursor)
    rows = await LedgerRepository(session).page(area_prefix=scope, after=after, limit=limit + 1)
    items = await service.to_out(session, rows[:limit])
    last = items[-1] if items else None
    nxt = encode_cursor([last.created_at.isoformat(), str(last.id)]) if last and len(rows) > limit else None
    return Page(items=items, next_cursor=nxt)
