"""HTTP for inspections."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.inspection.deps import Inspector
from services.inspection.findings.schemas import FindingIn, FindingOut, finding_out
from services.inspection.inspections import schemas, service
from services.inspection.models import Inspection
from shared.answers import ListRead, page_of
from shared.auth import CurrentUser
from shared.clock import clock
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(prefix="/inspections", tags=["inspections"])


def _out(inspection: Inspection) -> schemas.InspectionOut:
    return schemas.InspectionOut.model_validate(inspection, from_attributes=True)


@router.post("", response_model=schemas.InspectionOut, status_code=201)
async def plan(
    body: schemas.InspectionIn, session: SessionDep, user: Inspector, idem: IdempotencyDep
) -> schemas.InspectionOut:
    """Plan an inspection of areas inside your own (404 for one outside). It ends on or after the day
    it starts, and its team has a leader and only the team roles listed: otherwise 422."""
    return await idem.answer(_out(await service.plan(session=session, actor=user, data=body)))


@router.get("", response_model=Page[schemas.InspectionOut])
async def list_inspections(read: ListRead) -> Page[schemas.InspectionOut]:
    return page_of(_out, await service.list_page(**read.args))


@router.get("/{inspection_id}", response_model=schemas.InspectionOut)
async def get_inspection(
    inspection_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> schemas.InspectionOut:
    return _out(await service.get(session=session, actor=user, inspection_id=inspection_id))


@router.post("/{inspection_id}/findings", response_model=FindingOut, status_code=201)
async def add_finding(
    inspection_id: uuid.UUID, body: FindingIn, session: SessionDep, user: Inspector
) -> FindingOut:
    """Record a finding of the inspection from its first day (China date): before it, 409
    `inspection-not-started`; once it is concluded, 409 `inspection-concluded`."""
    today = clock.today()
    finding = await service.add_finding(
        session=session, actor=user, inspection_id=inspection_id, data=body, today=today
    )
    return finding_out(finding, today)


@router.post("/{inspection_id}/conclusion", response_model=schemas.InspectionOut)
async def conclude(inspection_id: uuid.UUID, session: SessionDep, user: Inspector) -> schemas.InspectionOut:
    """Conclude the inspection, dated today (China date); before its first day 409
    `inspection-not-started`."""
    return _out(
        await service.conclude(session=session, actor=user, inspection_id=inspection_id, today=clock.today())
    )
