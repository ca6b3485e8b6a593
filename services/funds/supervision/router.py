from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.funds import paging
from services.funds.deps import TodayDep
from services.funds.supervision import service
from services.funds.supervision.repository import SupervisionRepository
from services.funds.supervision.schemas import AnomalyOut, DetectionRun
from shared.auth import AreaScope, Principal, require_roles
from shared.db import SessionDep
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(tags=["supervision"])
Supervisor = Annotated[Principal, Depends(require_roles("finance", "auditor", "inspector"))]


@router.post("/supervision/runs", response_model=DetectionRun)
async def run_detectors(session: SessionDep, user: Supervisor, today: TodayDep) -> DetectionRun:
    new = await service.detect(session, actor=user, area_prefix=user.area_prefix, today=today)
    return DetectionRun(new_anomalies=[AnomalyOut.model_validate(a) for a in new])


@router.get("/anomalies", response_model=Page[AnomalyOut])
async def list_anomalies(
    session: SessionDep, scope: AreaScope, user: Supervisor, limit: Limit = 50, cursor: Cursor = None
) -> Page[AnomalyOut]:
    after = paging.after_time_id(cursor)
    rows = await SupervisionRepository(session).page(area_prefix=scope, after=after, limit=limit + 1)
    items = [AnomalyOut.model_validate(a) for a in rows[:limit]]
    last = items[-1] if items else None
    nxt = encode_cursor([last.detected_at.isoformat(), str(last.id)]) if last and len(rows) > limit else None
    return Page(items=items, next_cursor=nxt)
