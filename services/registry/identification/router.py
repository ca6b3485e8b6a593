from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.registry.deps import (
    Approver,
    ApproverStep,
    Decider,
    DeciderStep,
    Registrar,
    RegistrarStep,
    SignedInStep,
)
from services.registry.identification import schemas, service
from services.registry.models import Household
from shared.auth import CurrentUser
from shared.db import SessionDep

router = APIRouter(prefix="/households/{household_id}", tags=["identification"])


def status_out(h: Household) -> schemas.StatusOut:
    """A household's place in identification (also the answer of a re-identification)."""
    return schemas.StatusOut(household_id=h.id, status=h.status, household_number=h.household_number)


@router.post("/review-submission", response_model=schemas.StatusOut)
async def submit_review(household_id: uuid.UUID, session: SessionDep, user: Registrar) -> schemas.StatusOut:
    return status_out(await service.submit_review(session=session, actor=user, household_id=household_id))


@router.post("/review", response_model=schemas.StatusOut)
async def record_review(
    household_id: uuid.UUID, body: schemas.ReviewIn, step: RegistrarStep
) -> schemas.StatusOut:
    return status_out(await service.record_review(**step.args, household_id=household_id, data=body))


@router.post("/notice", response_model=schemas.StatusOut)
async def start_notice(
    household_id: uuid.UUID, body: schemas.NoticeIn, step: RegistrarStep
) -> schemas.StatusOut:
    h = await service.start_notice(**step.args, household_id=household_id, data=body)
    return status_out(h).model_copy(update={"confirmable_on": await service.confirmable_on(step.session, h)})


@router.post("/objections", status_code=201, response_model=schemas.ObjectionOut)
async def lodge_objection(
    household_id: uuid.UUID, body: schemas.ObjectionIn, step: RegistrarStep
) -> schemas.ObjectionOut:
    o = await service.lodge_objection(**step.args, household_id=household_id, data=body)
    return schemas.ObjectionOut.model_validate(o, from_attributes=True)


@router.get("/objections", response_model=list[schemas.ObjectionOut])
async def list_objections(
    household_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> list[schemas.ObjectionOut]:
    found = await service.objections(session=session, actor=user, household_id=household_id)
    return [schemas.ObjectionOut.model_validate(o, from_attributes=True) for o in found]


@router.post("/objections/{objection_id}/resolution", response_model=schemas.ObjectionOut)
async def resolve_objection(
    household_id: uuid.UUID,
    objection_id: uuid.UUID,
    body: schemas.ObjectionResolution,
    step: DeciderStep,
) -> schemas.ObjectionOut:
    o = await service.resolve_objection(
        **step.args, household_id=household_id, objection_id=objection_id, data=body
    )
    return schemas.ObjectionOut.model_validate(o, from_attributes=True)


@router.post("/confirmation", response_model=schemas.StatusOut)
async def confirm(
    household_id: uuid.UUID, body: schemas.ConfirmationIn, step: SignedInStep
) -> schemas.StatusOut:
    """逐户签字确认: the household signs with its own account (role `household`, subject = its id);
    anyone else, a registrar included, is refused 403 `signer-not-the-household`."""
    return status_out(await service.confirm(**step.args, household_id=household_id, signature=body))


@router.post("/registration", response_model=schemas.StatusOut)
async def register(household_id: uuid.UUID, step: ApproverStep) -> schemas.StatusOut:
    return status_out(await service.register(**step.args, household_id=household_id))


@router.post("/rejection", response_model=schemas.StatusOut)
async def reject(
    household_id: uuid.UUID, body: schemas.ReasonIn, session: SessionDep, user: Decider
) -> schemas.StatusOut:
    h = await service.reject(session=session, actor=user, household_id=household_id, reason=body.reason)
    return status_out(h)


@router.post("/removal", response_model=schemas.StatusOut)
async def remove(
    household_id: uuid.UUID, body: schemas.ReasonIn, session: SessionDep, user: Approver
) -> schemas.StatusOut:
    return status_out(
        await service.remove(session=session, actor=user, household_id=household_id, reason=body.reason)
    )
