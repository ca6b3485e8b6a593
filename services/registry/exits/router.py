from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, Response

from services.registry.deps import Registrar, TodayDep
from services.registry.exits import schemas, service
from services.registry.exits.rules import EXIT_CRITERIA_ZH, Criterion
from services.registry.models import ExitRequest
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.errors import request_language
from shared.idempotency import IdempotencyDep

router = APIRouter(prefix="/households/{household_id}", tags=["exits"])


def _out(req: ExitRequest, request: Request) -> schemas.ExitRequestOut:
    """The request with each criterion in the caller's language (a request kept before the Chinese
    was stored shows its English) and its name on the exit form (a request kept before the names
    were stored shows the form's general name)."""
    out = schemas.ExitRequestOut.model_validate(req, from_attributes=True)
    chinese = request_language(request) == "zh"
    kept = {str(c.get("criterion")): c for c in req.eligibility}
    criteria = [
        c.model_copy(
            update={
                "detail": (chinese and kept[c.criterion].get("detail_zh")) or c.detail,
                "criterion_label": c.criterion_label or EXIT_CRITERIA_ZH.get(c.criterion, c.criterion),
            }
        )
        for c in out.eligibility
    ]
    return out.model_copy(update={"eligibility": criteria})


def _criterion(c: Criterion, chinese: bool) -> schemas.CriterionOut:
    detail = c.detail_zh if chinese else c.detail
    return schemas.CriterionOut(
        criterion=c.criterion, criterion_label=c.name_zh, passed=c.passed, detail=detail
    )


@router.get("/exit-eligibility", response_model=schemas.EligibilityOut)
async def exit_eligibility(
    household_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    request: Request,
    response: Response,
    year: int = Query(ge=2014, le=2100),
) -> schemas.EligibilityOut:
    result = await service.eligibility(session=session, actor=user, household_id=household_id, year=year)
    chinese = request_language(request) == "zh"
    response.headers["Vary"] = "Accept-Language"  # the details are worded in the caller's language
    return schemas.EligibilityOut(
        household_id=household_id,
        year=year,
        eligible=result.eligible,
        criteria=[_criterion(c, chinese) for c in result.criteria],
    )


@router.post("/exit-requests", status_code=201, response_model=schemas.ExitRequestOut)
async def request_exit(
    household_id: uuid.UUID,
    body: schemas.ExitRequestIn,
    session: SessionDep,
    today: TodayDep,
    idem: IdempotencyDep,
    user: Registrar,
    request: Request,
) -> schemas.ExitRequestOut:
    """Ask for the household's exit in `year`; a year not yet begun (China date) is 422 `date-in-future`."""
    out = _out(
        await service.request_exit(
            session=session, actor=user, household_id=household_id, year=body.year, today=today
        ),
        request,
    )
    await idem.save(201, out)
    return out


@router.get("/exit-requests", response_model=list[schemas.ExitRequestOut])
async def list_exit_requests(
    household_id: uuid.UUID, session: SessionDep, user: CurrentUser, request: Request, response: Response
) -> list[schemas.ExitRequestOut]:
    response.headers["Vary"] = "Accept-Language"
    requests = await service.list_requests(session=session, actor=user, household_id=household_id)
    return [_out(r, request) for r in requests]
