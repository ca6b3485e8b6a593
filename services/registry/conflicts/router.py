"""GET /identity-conflicts (the officer's queue), GET/POST one conflict; and the rendering of a
refusal that opened a conflict (kept: the request's transaction commits the conflict)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.conflicts import resolution, schemas
from services.registry.deps import Approver, ApproverStep
from services.registry.errors import PersonActiveElsewhere
from services.registry.vocabulary import CONFLICT_STATUSES, ConflictStatus
from shared.answers import PagingLimitFirst, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.errors import problem_response
from shared.pagination import Page
from shared.shaping import from_row
from shared.vocabulary import code_or_label

router = APIRouter(prefix="/identity-conflicts", tags=["identity conflicts"])


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


def _out(view: resolution.ConflictView) -> schemas.ConflictOut | schemas.ClaimantConflictOut:
    c = view.conflict
    if view.held is None:
        return schemas.ClaimantConflictOut.model_validate(c, from_attributes=True)
    h, m = view.held
    held = from_row(
        schemas.HeldSide,
        m,
        household_id=h.id,
        household_number=h.household_number,
        household_status=h.status,
        area_code=h.area_code,
        member_id=m.id,
    )
    return from_row(schemas.ConflictOut, c, queue_area_code=c.queue_prefix.ljust(12, "0"), held=held)


def _officer_out(view: resolution.ConflictView) -> schemas.ConflictOut:
    out = _out(view)
    assert isinstance(out, schemas.ConflictOut)  # the officer's views carry the held side
    return out


@router.get("", response_model=Page[schemas.ConflictOut])
async def conflict_queue(
    session: SessionDep,
    user: Approver,
    q: PagingLimitFirst,
    status: Annotated[ConflictStatus, code_or_label(CONFLICT_STATUSES)] | None = "open",
) -> Page[schemas.ConflictOut]:
    found = await resolution.queue(session=session, actor=user, status=status, **q.args)
    return page_of(_officer_out, found)


@router.get("/{conflict_id}", response_model=schemas.ConflictOut | schemas.ClaimantConflictOut)
async def get_conflict(
    conflict_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> schemas.ConflictOut | schemas.ClaimantConflictOut:
    found = await resolution.get(session=session, actor=user, conflict_id=conflict_id)
    return _out(found)


@router.post("/{conflict_id}/resolution", response_model=schemas.ConflictOut)
async def resolve_conflict(
    conflict_id: uuid.UUID, body: schemas.ResolutionIn, step: ApproverStep
) -> schemas.ConflictOut:
    return _officer_out(await resolution.resolve(**step.args, conflict_id=conflict_id, data=body))
