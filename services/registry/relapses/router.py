from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.registry.deps import DeciderStep, SignedInStep
from services.registry.identification.router import status_out
from services.registry.identification.schemas import StatusOut
from services.registry.models import RelapseCase
from services.registry.relapses import schemas, service
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.shaping import from_row

router = APIRouter(tags=["relapses"])


def _out(case: RelapseCase) -> schemas.RelapseCaseOut:
    return from_row(schemas.RelapseCaseOut, case, next_step=service.pending_step(case))


@router.post(
    "/households/{household_id}/relapse-cases", status_code=201, response_model=schemas.RelapseCaseOut
)
async def open_case(
    household_id: uuid.UUID, body: schemas.RelapseCaseIn, step: DeciderStep
) -> schemas.RelapseCaseOut:
    return _out(await service.open_case(**step.args, household_id=household_id, data=body))


@router.post("/households/{household_id}/reidentification", response_model=StatusOut)
async def reidentify(
    household_id: uuid.UUID, body: schemas.ReidentificationIn, step: DeciderStep
) -> StatusOut:
    """An exited household returned to poverty for a cause the policy routes through ordinary
    identification: back to `candidate` (409 `relapse-routed-elsewhere` for a chain cause)."""
    return status_out(await service.reidentify(**step.args, household_id=household_id, data=body))


@router.get("/relapse-cases/{case_id}", response_model=schemas.RelapseCaseOut)
async def read_case(case_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.RelapseCaseOut:
    return _out(await service.get(session=session, actor=user, case_id=case_id))


@router.post("/relapse-cases/{case_id}/decisions", response_model=schemas.RelapseCaseOut)
async def decide(case_id: uuid.UUID, body: schemas.DecisionIn, dated: SignedInStep) -> schemas.RelapseCaseOut:
    # The role and level each step needs come from the policy chain (checked in the service).
    decided = await service.decide(
        **dated.args,
        case_id=case_id,
        step=body.step,
        approve=body.decision == "approve",
        reason=body.reason,
    )
    return _out(decided)
