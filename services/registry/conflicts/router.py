"""GET /identity-conflicts (the officer's queue), GET/POST one conflict; and the rendering of a
refusal that opened a conflict (kept: the request's transaction commits the conflict)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.registry.conflicts import resolution
from services.registry.conflicts.schemas import ClaimantConflictOut, ConflictOut, ResolutionIn
from services.registry.deps import TodayDep
from services.registry.errors import PersonActiveElsewhere
from shared.auth import CurrentUser, Principal, require_roles
from shared.db import SessionDep
from shared.errors import problem_response
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/identity-conflicts", tags=["identity conflicts"])
Officer = Annotated[Principal, Depends(require_roles("approver"))]


def recorded_refusal(refusal: PersonActiveElsewhere, request: Request) -> JSONResponse:
    """The 409 problem+json of a refusal whose record (the conflict) must be kept: returned, not
    raised, so the request's session commits the conflict while the change itself never happened."""
    return problem_response(
        refusal.status,
        refusal.title,
        refusal.detail,
        type_slug=refusal.type_slug,
        instance=request.url.path,
        extensions=refusal.extensions,
    )


@router.get("", response_model=Page[ConflictOut])
async def conflict_queue(
    session: SessionDep,
    user: Officer,
    status: Literal["open", "kept", "moved", "rejected"] | None = "open",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ConflictOut]:
    items, next_cursor = await resolution.queue(
        session=session, actor=user, status=status, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{conflict_id}", response_model=ConflictOut | ClaimantConflictOut)
async def get_conflict(
    conflict_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> ConflictOut | ClaimantConflictOut:
    return await resolution.get(session=session, actor=user, conflict_id=conflict_id)


@router.post("/{conflict_id}/resolution", response_model=ConflictOut)
async def resolve_conflict(
    conflict_id: uuid.UUID, body: ResolutionIn, session: SessionDep, user: Officer, today: TodayDep
) -> ConflictOut:
    return await resolution.resolve(
        session=session, actor=user, conflict_id=conflict_id, data=body, today=today
    )
