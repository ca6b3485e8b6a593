"""HTTP routes of visit logs, the three ledgers and offline batch upload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.deps import ReaderPage, TodayDep, VisitWriter
from services.pairing.visits import schemas, service
from services.pairing.vocabulary import BatchOutcome, LedgerKind
from shared.answers import page_of
from shared.auth import Principal
from shared.bodyguard import LARGE_BODY
from shared.db import SessionDep
from shared.errors import request_language
from shared.idempotency import Idempotency, IdempotencyDep
from shared.pagination import Page

router = APIRouter(tags=["visits"])


@dataclass(frozen=True)
class _Recording:
    """What storing one visit or ledger entry online takes: the transaction, the recorder, today,
    the response (201 or 200) and the request's `Idempotency-Key`."""

    session: AsyncSession
    user: Principal
    today: date
    response: Response
    idem: Idempotency

    async def store(self, record: schemas.VisitIn | schemas.LedgerEntryIn) -> dict[str, str]:
        """201 when stored, 200 when the same record had been stored before (a resend). With an
        `Idempotency-Key`, a retry gets the first answer back as it was (201 stored), not "duplicate"."""
        outcome = await service.record_single(
            session=self.session, actor=self.user, record=record, today=self.today
        )
        status = 200 if outcome is BatchOutcome.DUPLICATE else 201
        self.response.status_code = status
        answer = {"id": str(record.id), "outcome": outcome.value, "outcome_label": outcome.label}
        return await self.idem.answer(answer, status)


async def _recording(
    session: SessionDep, user: VisitWriter, today: TodayDep, response: Response, idem: IdempotencyDep
) -> _Recording:
    return _Recording(session, user, today, response, idem)


Recording = Annotated[_Recording, Depends(_recording)]


@router.post("/visits", status_code=201, response_model=None)
async def record_visit(body: schemas.VisitIn, recording: Recording) -> dict[str, str]:
    """201 when stored, 200 when the same record had been stored before (a resend).

    422 also for what the schema cannot say: `visited_on` after today (China date) is
    `date-in-future`, nothing is stored. 409 `visit-not-allowed` when the cadre was not paired with
    the household on that day, or the household is not known in their area."""
    return await recording.store(body)


@router.post("/ledger-entries", status_code=201, response_model=None)
async def record_ledger_entry(body: schemas.LedgerEntryIn, recording: Recording) -> dict[str, str]:
    """201 when stored, 200 when the same entry had been stored before (a resend).

    422 `date-in-future` for `entry_on` after today (China date); 422 `invalid-input` (field
    `year`) for a ledger year after the entry's own (an exit plan may be written a year ahead)."""
    return await recording.store(body)


@router.post("/sync/batches", response_model=schemas.BatchOut, openapi_extra=LARGE_BODY)
async def upload_batch(
    body: schemas.BatchIn,
    session: SessionDep,
    user: VisitWriter,
    today: TodayDep,
    idem: IdempotencyDep,
    request: Request,
) -> schemas.BatchOut:
    """Offline upload: per-record results; a batch sent twice is stored once.

    A refused record's `reason` is in Chinese (English with `Accept-Language: en`). With an
    `Idempotency-Key` a resent batch gets the first upload's answer back as it was."""
    batch = await service.record_batch(
        session=session, actor=user, records=body.records, today=today, language=request_language(request)
    )
    return await idem.created(schemas.BatchOut, batch, 200)


@router.get("/households/{household_id}/visits", response_model=Page[schemas.VisitOut])
async def household_visits(household_id: uuid.UUID, read: ReaderPage) -> Page[schemas.VisitOut]:
    """The household's visits, newest first (the date it happened, then the record's id)."""
    found = await service.visits_of(**read.args, household_id=household_id)
    return page_of(schemas.VisitOut, found)


@router.get("/households/{household_id}/ledgers", response_model=Page[schemas.LedgerEntryOut])
async def household_ledgers(
    household_id: uuid.UUID, read: ReaderPage, ledger: LedgerKind | None = None
) -> Page[schemas.LedgerEntryOut]:
    """The household's three ledgers (plan, measures, work), oldest entry first."""
    found = await service.ledger_of(**read.args, household_id=household_id, ledger=ledger)
    return page_of(schemas.LedgerEntryOut, found)
