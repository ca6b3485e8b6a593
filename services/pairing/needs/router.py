"""HTTP routes of households (pairing's projection), needs and cadre suggestions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.pairing.deps import Manager, ManagerPage, Reader, ReaderPage, TodayDep
from services.pairing.needs import schemas, service
from services.pairing.needs.rules import HouseholdStatus
from services.pairing.pairings.schemas import PairingOut
from services.pairing.vocabulary import HOUSEHOLD_STATUSES, NEED_STATUSES, NeedStatus
from shared.answers import page_of
from shared.db import SessionDep
from shared.pagination import Page
from shared.vocabulary import code_or_label

router = APIRouter(tags=["needs"])


@router.get("/households", response_model=Page[schemas.HouseholdOut])
async def list_households(
    read: ReaderPage,
    status: Annotated[HouseholdStatus, code_or_label(HOUSEHOLD_STATUSES)] | None = None,
) -> Page[schemas.HouseholdOut]:
    """A cadre sees only the households they are paired with; each with its active pairings."""
    found = await service.list_households(**read.args, status=status)
    return page_of(_paired, found)


def _paired(found: service.PairedHousehold) -> schemas.HouseholdOut:
    out = schemas.HouseholdOut.model_validate(found.household)
    return out.model_copy(update={"pairings": [PairingOut.model_validate(p) for p in found.pairings]})


@router.get("/households/{household_id}", response_model=schemas.HouseholdOut)
async def get_household(household_id: uuid.UUID, session: SessionDep, user: Reader) -> schemas.HouseholdOut:
    return _paired(await service.get_household(session=session, actor=user, household_id=household_id))


@router.get("/households/{household_id}/suggestions", response_model=list[schemas.SuggestionOut])
async def suggestions(
    household_id: uuid.UUID,
    session: SessionDep,
    user: Manager,
    today: TodayDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[schemas.SuggestionOut]:
    """Cadres to propose: same area first, then the least loaded, never at the cap."""
    ranked = await service.suggest(
        session=session, actor=user, household_id=household_id, limit=limit, today=today
    )
    return [schemas.SuggestionOut.model_validate(s) for s in ranked]


@router.get("/needs", response_model=Page[schemas.NeedOut])
async def list_needs(
    read: ManagerPage, status: Annotated[NeedStatus, code_or_label(NEED_STATUSES)] | None = "open"
) -> Page[schemas.NeedOut]:
    found = await service.list_needs(**read.args, status=status)
    return page_of(schemas.NeedOut, found)
