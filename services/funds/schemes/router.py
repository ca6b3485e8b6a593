from __future__ import annotations

import uuid
from functools import partial

from fastapi import APIRouter, Request, Response

from services.funds.deps import Finance
from services.funds.schemes import rules, schemas, service
from shared import cadres
from shared.answers import AreaPage, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.errors import request_language
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page
from shared.shaping import from_row

router = APIRouter(tags=["schemes"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("/schemes", status_code=201, response_model=schemas.SchemeOut)
async def create_scheme(
    body: schemas.SchemeIn, session: SessionDep, user: Finance, idem: IdempotencyDep
) -> schemas.SchemeOut:
    """A new version of an allocation scheme (policy data; plans refer to a version).

    422 also for what the schema cannot say: shares, sub-shares or schedules that cannot add up
    (`invalid-scheme`), and a per-capita amount below the standard in force for the area in one of
    the scheme's years (`per-capita-below-standard`; 开平市《赤水镇…实施方案(2016-2018年)》：
    人均3年不少于2万元, so 2,000,000 fen a person or more)."""
    return await idem.created(schemas.SchemeOut, await service.create_scheme(session, actor=user, data=body))


@router.get("/schemes", response_model=Page[schemas.SchemeOut])
async def list_schemes(session: SessionDep, q: AreaPage) -> Page[schemas.SchemeOut]:
    return page_of(schemas.SchemeOut, await service.page_schemes(session, **q.args))


@router.get("/schemes/{scheme_id}", response_model=schemas.SchemeOut)
async def get_scheme(scheme_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.SchemeOut:
    return schemas.SchemeOut.model_validate(
        await service.get_scheme(session, actor=user, scheme_id=scheme_id)
    )


def _plan_out(view: service.PlanView, *, english: bool = False) -> schemas.PlanOut:
    out = schemas.PlanOut.model_validate(view.plan)
    totals = [schemas.PlanTotal(payer=p, year=y, amount_fen=a) for p, y, a in view.totals]
    reason = rules.stale_reason(stale=view.plan.stale, total_fen=view.plan.total_fen)
    stale_reason = None if reason is None else reason[0 if english else 1]
    return out.model_copy(update={"totals": totals, "stale_reason": stale_reason})


def _english(request: Request, response: Response) -> bool:
    """Whether the caller reads English (a stale plan's reason is worded in its language)."""
    response.headers["Vary"] = "Accept-Language"
    return request_language(request) == "en"


@router.post("/plans", status_code=201, response_model=schemas.PlanOut)
async def create_plan(
    body: schemas.PlanIn, session: SessionDep, user: Finance, idem: IdempotencyDep
) -> schemas.PlanOut:
    plan = await service.create_plan(session, actor=user, scheme_id=body.scheme_id, area_code=body.area_code)
    return await idem.answer(_plan_out(plan))  # just computed: never stale


@router.post("/plans/{plan_id}/recomputation", response_model=schemas.PlanOut)
async def recompute_plan(plan_id: uuid.UUID, session: SessionDep, user: Finance) -> schemas.PlanOut:
    """Recompute now (after a registry correction or a new town account). 409 problem+json while
    the population cannot be planned for: `pairing-village-level-unknown` (lists the villages),
    `town-account-missing` (lists the towns)."""
    return _plan_out(await service.recompute_plan(session, actor=user, plan_id=plan_id))


@router.get("/plans", response_model=Page[schemas.PlanOut])
async def list_plans(
    session: SessionDep, q: AreaPage, request: Request, response: Response
) -> Page[schemas.PlanOut]:
    english = _english(request, response)
    return page_of(partial(_plan_out, english=english), await service.page_plans(session, **q.args))


@router.get("/plans/{plan_id}", response_model=schemas.PlanOut)
async def get_plan(
    plan_id: uuid.UUID, session: SessionDep, user: CurrentUser, request: Request, response: Response
) -> schemas.PlanOut:
    """A stale plan (registry events since its last computation) answers with its last figures and
    says why in ``stale_reason``; the refresh job recomputes it within seconds."""
    plan = await service.read_plan(session, actor=user, plan_id=plan_id)
    return _plan_out(plan, english=_english(request, response))


@router.get("/plans/{plan_id}/lines", response_model=Page[schemas.PlanLineOut])
async def plan_lines(
    plan_id: uuid.UUID, session: SessionDep, user: CurrentUser, limit: Limit = 100, cursor: Cursor = None
) -> Page[schemas.PlanLineOut]:
    return page_of(
        schemas.PlanLineOut,
        await service.plan_lines(session, actor=user, plan_id=plan_id, cursor=cursor, limit=limit),
    )


@router.get("/plans/{plan_id}/households", response_model=Page[schemas.PlanHouseholdOut])
async def plan_households(
    plan_id: uuid.UUID, session: SessionDep, user: CurrentUser, limit: Limit = 100, cursor: Cursor = None
) -> Page[schemas.PlanHouseholdOut]:
    """One row per household of the plan: its lines summed (entitled), what it has been paid so far
    and what is left, in fen, by household id. A stale plan answers with its last computation."""
    return page_of(
        schemas.PlanHouseholdOut,
        await service.plan_households(session, actor=user, plan_id=plan_id, cursor=cursor, limit=limit),
    )


@router.get("/plans/{plan_id}/arrears", response_model=list[schemas.ArrearsRow])
async def plan_arrears(
    plan_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> list[schemas.ArrearsRow]:
    """Who has paid in what the plan says they owe, per year: money seen to arrive."""
    found = await service.arrears(session, actor=user, plan_id=plan_id)
    return [from_row(schemas.ArrearsRow, row) for row in found]
