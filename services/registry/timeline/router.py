"""A clerk's path through a household: its timeline and its next allowed actions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.registry.timeline import schemas, service
from shared.auth import CurrentUser
from shared.db import SessionDep

router = APIRouter(prefix="/households/{household_id}", tags=["timeline"])


@router.get("/timeline", response_model=schemas.TimelineOut)
async def timeline(household_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.TimelineOut:
    """Every step with who, when and why: the registry's own (identification, changes, exit,
    relapse) and what pairing, funds and inspection reported about the household, oldest first."""
    return await service.timeline(session, user, household_id)


@router.get("/actions", response_model=schemas.ActionsOut)
async def actions(household_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.ActionsOut:
    """The steps the household's status allows next, where each is taken and the roles it needs
    (``yours``: whether the caller may take it) — the buttons a screen shows."""
    return await service.actions(session, user, household_id)
