"""HTTP for the 12317 complaint line."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from services.inspection.complaints import schemas, service
from services.inspection.deps import ComplaintIntake as Intake
from services.inspection.deps import ComplaintReader as Reader
from services.inspection.deps import ComplaintReaderPage as ReaderPage
from services.inspection.vocabulary import COMPLAINT_STATUSES, ComplaintStatus
from shared.answers import page_of
from shared.clock import clock
from shared.db import SessionDep
from shared.fields import IsoDate
from shared.idempotency import IdempotencyDep
from shared.pagination import Page
from shared.pii import CipherDep as Cipher
from shared.vocabulary import code_or_label

router = APIRouter(prefix="/complaints", tags=["complaints (12317)"])


def _out(found: service.ComplaintRecord) -> schemas.ComplaintOut:
    who = found.complainant
    complainant = schemas.ComplainantIn(name=who.name, phone=who.phone) if who else None
    return schemas.complaint_out(found.complaint, complainant, clock.today())


@router.post("", response_model=schemas.ComplaintOut, status_code=201)
async def intake(
    body: schemas.ComplaintIn, session: SessionDep, user: Intake, cipher: Cipher, idem: IdempotencyDep
) -> schemas.ComplaintOut:
    """Take a complaint (12317 and the like); a `received_on` after today (China date) is 422
    `date-in-future`."""
    taken = await service.intake(session=session, actor=user, data=body, cipher=cipher, today=clock.today())
    return await idem.answer(_out(taken))


@router.get("", response_model=Page[schemas.ComplaintOut])
async def list_complaints(
    read: ReaderPage,
    cipher: Cipher,
    status: Annotated[ComplaintStatus, code_or_label(COMPLAINT_STATUSES)] | None = None,
) -> Page[schemas.ComplaintOut]:
    found = await service.list_page(**read.args, status=status)
    today = clock.today()
    return page_of(lambda c: schemas.complaint_out(c, None, today), found)


@router.get("/statistics", response_model=schemas.ComplaintStatsOut)
async def statistics(
    session: SessionDep, user: Reader, since: IsoDate | None = None, until: IsoDate | None = None
) -> schemas.ComplaintStatsOut:
    """Complaints received from `since` to `until` (China dates, both included); `until` before
    `since` is 422 `invalid-input`."""
    s = await service.statistics(session=session, actor=user, since=since, until=until, today=clock.today())
    return schemas.ComplaintStatsOut(**asdict(s), area_prefix=user.area_prefix, since=since, until=until)


@router.get("/{complaint_id}", response_model=schemas.ComplaintOut)
async def get_complaint(
    complaint_id: uuid.UUID, session: SessionDep, user: Reader, cipher: Cipher
) -> schemas.ComplaintOut:
    return _out(await service.get(session=session, actor=user, complaint_id=complaint_id, cipher=cipher))


Act = Callable[[uuid.UUID, str, str], Awaitable[schemas.ComplaintOut]]


async def _acting(session: SessionDep, user: Reader, cipher: Cipher) -> Act:
    """One step of a complaint's handling, ``act(complaint_id, action, value)``, answered as the
    complaint after it. (The id stays the route's own parameter: only a UUID segment matches it.)"""
    step = partial(service.act, session=session, actor=user, cipher=cipher)

    async def act(complaint_id: uuid.UUID, action: str, value: str) -> schemas.ComplaintOut:
        return _out(await step(complaint_id=complaint_id, action=action, value=value, today=clock.today()))

    return act


Acting = Annotated[Act, Depends(_acting)]


@router.post("/{complaint_id}/triage", response_model=schemas.ComplaintOut)
async def triage(complaint_id: uuid.UUID, body: schemas.TriageIn, act: Acting) -> schemas.ComplaintOut:
    return await act(complaint_id, "triage", body.urgency)


@router.post("/{complaint_id}/dismissal", response_model=schemas.ComplaintOut)
async def dismiss(complaint_id: uuid.UUID, body: schemas.DismissIn, act: Acting) -> schemas.ComplaintOut:
    return await act(complaint_id, "dismiss", body.reason)


@router.post("/{complaint_id}/assignment", response_model=schemas.ComplaintOut)
async def assign(complaint_id: uuid.UUID, body: schemas.AssignIn, act: Acting) -> schemas.ComplaintOut:
    return await act(complaint_id, "assign", body.assignee)


@router.post("/{complaint_id}/resolution", response_model=schemas.ComplaintOut)
async def resolve(complaint_id: uuid.UUID, body: schemas.ResolveIn, act: Acting) -> schemas.ComplaintOut:
    return await act(complaint_id, "resolve", body.resolution)
