"""HTTP routes of coverage numbers, checks and gaps."""

from __future__ import annotations

from fastapi import APIRouter

from services.pairing.coverage import service
from services.pairing.coverage.rules import GapKind
from services.pairing.coverage.schemas import CheckOut, CoverageOut, GapOut
from services.pairing.deps import Manager, Office, TodayDep
from services.pairing.paging import after_id, page
from shared.db import SessionDep
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/coverage", tags=["coverage"])


@router.get("", response_model=CoverageOut)
async def coverage(session: SessionDep, user: Office, today: TodayDep) -> CoverageOut:
    """The caller's area: households and villages with and without their helpers, overdue visits."""
    return await service.coverage(session=session, prefix=user.area_prefix, today=today)


@router.post("/checks", response_model=CheckOut)
async def run_check(session: SessionDep, user: Manager, today: TodayDep) -> CheckOut:
    """Record the gaps of the caller's area now (the periodic job does this for every area)."""
    return await service.check(session, user, prefix=user.area_prefix, today=today)


@router.get("/gaps", response_model=Page[GapOut])
async def list_gaps(
    session: SessionDep,
    user: Office,
    kind: GapKind | None = None,
    open: bool = True,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[GapOut]:
    items = await service.list_gaps(
        session=session,
        prefix=user.area_prefix,
        open_only=open,
        kind=kind.value if kind else None,
        after=after_id(cursor),
        limit=limit,
    )
    return page(items, limit)
