"""HTTP routes of households (pairing's projection), needs and cadre suggestions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.pairing.deps import Manager, Reader, TodayDep
from services.pairing.needs import service
from services.pairing.needs.schemas import HouseholdOut, NeedOut, SuggestionOut
from services.pairing.paging import after_id, page
from shared.db import SessionDep
from shared.pagination import Cursor, Limit, Page

router = APIRouter(tags=["needs"])


@router.get("/households", response_model=Page[HouseholdOut])
async def list_households(
    session: SessionDep, user: Reader, status: str | None = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[HouseholdOut]:
    """A cadre sees only the households they are paired with."""
    items = await service.list_households(
        session=session, actor=user, status=status, after=after_id(cursor), limit=limit
    )
    return page(items, limit)


@router.get("/households/{household_id}", response_model=HouseholdOut)
async def get_household(household_id: uuid.UUID, session: SessionDep, user: Reader) -> HouseholdOut:
    return await service.get_household(session=session, actor=user, household_id=household_id)


@router.get("/households/{household_id}/suggestions", response_model=list[SuggestionOut])
async def suggestions(
    household_id: uuid.UUID,
    session: SessionDep,
    user: Manager,
    today: TodayDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[SuggestionOut]:
    """Cadres to propose: same area first, then the least loaded, never at the cap."""
    return await service.suggest(
        session=session, actor=user, household_id=household_id, limit=limit, today=today
    )


@router.get("/needs", response_model=Page[NeedOut])
async def list_needs(
    session: SessionDep,
    user: Manager,
    status: Literal["open", "fulfilled", "closed"] | None = "open",
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[NeedOut]:
    items = await service.list_needs(
        session=session, prefix=user.area_prefix, status=status, after=after_id(cursor), limit=limit
    )
    return page(items, limit)
