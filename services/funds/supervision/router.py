from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.funds.deps import TodayDep
from services.funds.supervision import schemas, service
from shared.answers import AreaPage, page_of
from shared.auth import Principal, require_roles
from shared.db import SessionDep
from shared.pagination import Page

router = APIRouter(tags=["supervision"])
Supervisor = Annotated[Principal, Depends(require_roles("finance", "auditor", "inspector"))]


@router.post("/supervision/runs", response_model=schemas.DetectionRun)
async def run_detectors(session: SessionDep, user: Supervisor, today: TodayDep) -> schemas.DetectionRun:
    new = await service.detect(session, actor=user, area_prefix=user.area_prefix, today=today)
    return schemas.DetectionRun(new_anomalies=[schemas.AnomalyOut.model_validate(a) for a in new])


@router.get("/anomalies", response_model=Page[schemas.AnomalyOut])
async def list_anomalies(session: SessionDep, user: Supervisor, q: AreaPage) -> Page[schemas.AnomalyOut]:
    return page_of(schemas.AnomalyOut, await service.page(session, **q.args))
