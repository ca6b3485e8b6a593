"""HTTP for the 12317 complaint line."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.complaints import service
from services.inspection.complaints.schemas import (
    AssignIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintStatsOut,
    DismissIn,
    ResolveIn,
    TriageIn,
)
from shared.auth import Principal, require_roles
from shared.clock import clock
from shared.db import SessionDep
from shared.fields import IsoDate
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page
from shared.pii import PiiCipher

router = APIRouter(prefix="/complaints", tags=["complaints (12317)"])
# Complaints often name cadres; only these roles read them.
Reader = Annotated[Principal, Depends(require_roles("complaint_handler", "inspector", "auditor"))]
Intake = Annotated[Principal, Depends(require_roles("complaint_handler", "inspector"))]


def _cipher(request: Request) -> PiiCipher:
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


Cipher = Annotated[PiiCipher, Depends(_cipher)]


@router.post("", response_model=ComplaintOut, status_code=201)
async def intake(
    body: ComplaintIn, session: SessionDep, user: Intake, cipher: Cipher, idem: IdempotencyDep
) -> ComplaintOut:
    out = await service.intake(session=session, actor=user, data=body, cipher=cipher, today=clock.today())
    await idem.save(201, out.model_dump(mode="json"))
    return out


@router.get("", response_model=Page[ComplaintOut])
async def list_complaints(
    session: SessionDep,
    user: Reader,
    cipher: Cipher,
    status: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ComplaintOut]:
    return await service.list_page(
        session=session,
        actor=user,
        status=status,
        cursor=cursor,
        limit=limit,
        cipher=cipher,
        today=clock.today(),
    )


@router.get("/statistics", response_model=ComplaintStatsOut)
async def statistics(
    session: SessionDep, user: Reader, since: IsoDate | None = None, until: IsoDate | None = None
) -> ComplaintStatsOut:
    return await service.statistics(
        session=session, actor=user, since=since, until=until, today=clock.today()
    )


@router.get("/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(
    complaint_id: uuid.UUID, session: SessionDep, user: Reader, cipher: Cipher
) -> ComplaintOut:
    return await service.get(
        session=session, actor=user, complaint_id=complaint_id, cipher=cipher, today=clock.today()
    )


async def _act(
    session: AsyncSession,
    user: Principal,
    cipher: PiiCipher,
    complaint_id: uuid.UUID,
    action: str,
    value: str,
) -> ComplaintOut:
    return await service.act(
        session=session,
        actor=user,
        complaint_id=complaint_id,
        action=action,
        value=value,
        cipher=cipher,
        today=clock.today(),
    )


@router.post("/{complaint_id}/triage", response_model=ComplaintOut)
async def triage(
    complaint_id: uuid.UUID, body: TriageIn, session: SessionDep, user: Reader, cipher: Cipher
) -> ComplaintOut:
    return await _act(session, user, cipher, complaint_id, "triage", body.urgency)


@router.post("/{complaint_id}/dismissal", response_model=ComplaintOut)
async def dismiss(
    complaint_id: uuid.UUID, body: DismissIn, session: SessionDep, user: Reader, cipher: Cipher
) -> ComplaintOut:
    return await _act(session, user, cipher, complaint_id, "dismiss", body.reason)


@router.post("/{complaint_id}/assignment", response_model=ComplaintOut)
async def assign(
    complaint_id: uuid.UUID, body: AssignIn, session: SessionDep, user: Reader, cipher: Cipher
) -> ComplaintOut:
    return await _act(session, user, cipher, complaint_id, "assign", body.assignee)


@router.post("/{complaint_id}/resolution", response_model=ComplaintOut)
async def resolve(
    complaint_id: uuid.UUID, body: ResolveIn, session: SessionDep, user: Reader, cipher: Cipher
) -> ComplaintOut:
    return await _act(session, user, cipher, complaint_id, "resolve", body.resolution)
