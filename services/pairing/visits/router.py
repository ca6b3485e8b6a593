"""HTTP routes of visit logs, the three ledgers and offline batch upload."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Response

from services.pairing.deps import Reader, TodayDep, VisitWriter
from services.pairing.paging import after_id, page
from services.pairing.visits import service
from services.pairing.visits.rules import BatchOutcome, LedgerKind
from services.pairing.visits.schemas import (
    BatchIn,
    BatchOut,
    LedgerEntryIn,
    LedgerEntryOut,
    VisitIn,
    VisitOut,
)
from shared.bodyguard import LARGE_BODY
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page, decode_cursor

router = APIRouter(tags=["visits"])


@router.post("/visits", status_code=201, response_model=None)
async def record_visit(
    body: VisitIn, session: SessionDep, user: VisitWriter, today: TodayDep, response: Response
) -> dict[str, str]:
    """201 when stored, 200 when the same record had been stored before (a resend)."""
    outcome = await service.record_single(session=session, actor=user, record=body, today=today)
    if outcome is BatchOutcome.DUPLICATE:
        response.status_code = 200
    return {"id": str(body.id), "outcome": outcome.value}


@router.post("/ledger-entries", status_code=201, response_model=None)
async def record_ledger_entry(
    body: LedgerEntryIn, session: SessionDep, user: VisitWriter, today: TodayDep, response: Response
) -> dict[str, str]:
    outcome = await service.record_single(session=session, actor=user, record=body, today=today)
    if outcome is BatchOutcome.DUPLICATE:
        response.status_code = 200
    return {"id": str(body.id), "outcome": outcome.value}


@router.post("/sync/batches", response_model=BatchOut, openapi_extra=LARGE_BODY)
async def upload_batch(
    body: BatchIn, session: SessionDep, user: VisitWriter, today: TodayDep, idem: IdempotencyDep
) -> BatchOut:
    """Offline upload: per-record results; a batch sent twice is stored once.

    With an `Idempotency-Key` a resent batch gets the first upload's answer back as it was."""
    out = await service.record_batch(session=session, actor=user, records=body.records, today=today)
    await idem.save(200, out)
    return out


@router.get("/households/{household_id}/visits", response_model=Page[VisitOut])
async def household_visits(
    household_id: uuid.UUID, session: SessionDep, user: Reader, cursor: Cursor = None, limit: Limit = 50
) -> Page[VisitOut]:
    items = await service.visits_of(
        session=session, actor=user, household_id=household_id, after=after_id(cursor), limit=limit
    )
    return page(items, limit)


@router.get("/households/{household_id}/ledgers", response_model=Page[LedgerEntryOut])
async def household_ledgers(
    household_id: uuid.UUID,
    session: SessionDep,
    user: Reader,
    ledger: LedgerKind | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[LedgerEntryOut]:
    """The household's three ledgers (plan, measures, work), oldest entry first."""
    raw = decode_cursor(cursor)
    try:
        after = (date.fromisoformat(raw[0]), uuid.UUID(raw[1])) if raw else None
    except (TypeError, ValueError, IndexError) as exc:
        raise InvalidInput(
            "The cursor is not one this service gave out; start again without it",
            detail_zh="翻页游标无效，请去掉游标从第一页重新查询",
        ) from exc
    items = await service.ledger_of(
        session=session, actor=user, household_id=household_id, ledger=ledger, after=after, limit=limit
    )
    return page(items, limit, key=lambda e: [e.entry_on.isoformat(), str(e.id)])
