"""HTTP for inspections."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from services.inspection.findings.schemas import FindingIn, FindingOut
from services.inspection.inspections import service
from services.inspection.inspections.schemas import InspectionIn, InspectionOut
from shared.auth import CurrentUser, Principal, require_roles
from shared.clock import clock
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/inspections", tags=["inspections"])
Inspector = Annotated[Principal, Depends(require_roles("inspector"))]


@router.post("", response_model=InspectionOut, status_code=201)
async def plan(
    body: InspectionIn, session: SessionDep, user: Inspector, idem: IdempotencyDep
) -> InspectionOut:
    out = await service.plan(session=session, actor=user, data=body)
    await idem.save(201, out.model_dump(mode="json"))
    return out


@router.get("", response_model=Page[InspectionOut])
async def list_inspections(
    session: SessionDep, user: CurrentUser, cursor: Cursor = None, limit: Limit = 50
) -> Page[InspectionOut]:
    return await service.list_page(session=session, actor=user, cursor=cursor, limit=limit)


@router.get("/{inspection_id}", response_model=InspectionOut)
async def get_inspection(inspection_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> InspectionOut:
    return await service.get(session=session, actor=user, inspection_id=inspection_id)


@router.post("/{inspection_id}/findings", response_model=FindingOut, status_code=201)
async def add_finding(
    inspection_id: uuid.UUID, body: FindingIn, session: SessionDep, user: Inspector
) -> FindingOut:
    return await service.add_finding(
        session=session, actor=user, inspection_id=inspection_id, data=body, today=clock.today()
    )


@router.post("/{inspection_id}/conclusion", response_model=InspectionOut)
async def conclude(inspection_id: uuid.UUID, session: SessionDep, user: Inspector) -> InspectionOut:
    return await service.conclude(
        session=session, actor=user, inspection_id=inspection_id, today=clock.today()
    )
