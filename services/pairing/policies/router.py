"""HTTP routes of pairing policies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.pairing.deps import Reader, TodayDep
from services.pairing.policies import service
from services.pairing.policies.schemas import PolicyOut, PolicyOverrideIn
from shared.auth import Principal, require_roles
from shared.db import SessionDep

router = APIRouter(prefix="/policies", tags=["policies"])
Approver = Annotated[Principal, Depends(require_roles("approver"))]


@router.put("", status_code=204)
async def put_override(body: PolicyOverrideIn, session: SessionDep, user: Approver) -> None:
    """Set an area's cap, visit interval, ... from a date on (the same area and date: replaced)."""
    await service.put_override(session=session, actor=user, data=body)


@router.get("/effective", response_model=PolicyOut)
async def effective(
    session: SessionDep,
    user: Reader,
    today: TodayDep,
    area_code: Annotated[str, Query(pattern=r"^\d{12}$")],
) -> PolicyOut:
    return await service.effective(session=session, actor=user, area_code=area_code, on=today)
