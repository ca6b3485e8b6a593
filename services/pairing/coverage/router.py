"""HTTP routes of coverage numbers, checks and gaps."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.pairing.coverage import schemas, service
from services.pairing.deps import Manager, Office, OfficePage, TodayDep
from services.pairing.vocabulary import GapKind
from shared.answers import page_of
from shared.db import SessionDep
from shared.pagination import Page

router = APIRouter(prefix="/coverage", tags=["coverage"])


AreaQuery = Annotated[
    str | None, Query(pattern=r"^[0-9]{12}$", description="a part of your area (default: all of it)")
]


@router.get("", response_model=schemas.CoverageOut)
async def coverage(
    session: SessionDep, user: Office, today: TodayDep, area_code: AreaQuery = None
) -> dict[str, Any]:
    """Households and villages with and without their helpers, cadres over the cap, overdue visits."""
    # the response model (CoverageOut, the service's Coverage by its API name) validates the fields
    prefix = service.scope_prefix(user, area_code)
    return asdict(await service.coverage(session=session, prefix=prefix, today=today))


@router.post("/checks", response_model=schemas.CheckOut)
async def run_check(session: SessionDep, user: Manager, today: TodayDep) -> dict[str, Any]:
    """Record the gaps of the caller's area now (the periodic job does this for every area)."""
    return asdict(await service.check(session, user, prefix=user.area_prefix, today=today))


@router.get("/gaps", response_model=Page[schemas.GapOut])
async def list_gaps(
    read: OfficePage, kind: GapKind | None = None, open: bool = True, area_code: AreaQuery = None
) -> Page[schemas.GapOut]:
    found = await service.list_gaps(
        **read.args, area_code=area_code, open_only=open, kind=kind.value if kind else None
    )
    return page_of(schemas.GapOut, found)
