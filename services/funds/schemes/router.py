from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.funds import paging
from services.funds.deps import Finance
from services.funds.schemes import service
from services.funds.schemes.repository import PlanRepository, SchemeRepository
from services.funds.schemes.schemas import (
    ArrearsRow,
    PlanIn,
    PlanLineOut,
    PlanOut,
    PlanTotal,
    SchemeIn,
    SchemeOut,
)
from shared import cadres
from shared.auth import AreaScope, CurrentUser
from shared.db import SessionDep
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(tags=["schemes"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("/schemes", status_code=201, response_model=SchemeOut)
async def create_scheme(
    body: SchemeIn, session: SessionDep, user: Finance, idem: IdempotencyDep
) -> SchemeOut:
    out = SchemeOut.model_validate(await service.create_scheme(session, actor=user, data=body))
    await idem.save(201, out)
    return out


@router.get("/schemes", response_model=Page[SchemeOut])
async def list_schemes(
    session: SessionDep, scope: AreaScope, limit: Limit = 50, cursor: Cursor = None
) -> Page[SchemeOut]:
    rows = await SchemeRepository(session).page(
        area_prefix=scope, after=paging.after_code_version(cursor), limit=limit + 1
    )
    items = [SchemeOut.model_validate(s) for s in rows[:limit]]
    nxt = encode_cursor([items[-1].code, items[-1].version]) if len(rows) > limit else None
    return Page(items=items, next_cursor=nxt)


@router.get("/schemes/{scheme_id}", response_model=SchemeOut)
async def get_scheme(scheme_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> SchemeOut:
    return SchemeOut.model_validate(await service.get_scheme(session, actor=user, scheme_id=scheme_id))


async def _plan_out(session: SessionDep, plan: object) -> PlanOut:
    out = PlanOut.model_validate(plan)
    totals = await PlanRepository(session).totals(out.id)
    return out.model_copy(update={"totals": [PlanTotal(payer=p, year=y, amount_fen=a) for p, y, a in totals]})


@router.post("/plans", status_code=201, response_model=PlanOut)
async def create_plan(body: PlanIn, session: SessionDep, user: Finance, idem: IdempotencyDep) -> PlanOut:
    plan = await service.create_plan(session, actor=user, scheme_id=body.scheme_id, area_code=body.area_code)
    out = await _plan_out(session, plan)
    await idem.save(201, out)
    return out


@router.post("/plans/{plan_id}/recomputation", response_model=PlanOut)
async def recompute_plan(plan_id: uuid.UUID, session: SessionDep, user: Finance) -> PlanOut:
    """Recompute now (after a registry correction or a new town account). 409 problem+json while
    the population cannot be planned for: `pairing-village-level-unknown` (lists the villages),
    `town-account-missing` (lists the towns)."""
    return await _plan_out(session, await service.recompute_plan(session, actor=user, plan_id=plan_id))


@router.get("/plans", response_model=Page[PlanOut])
async def list_plans(
    session: SessionDep, scope: AreaScope, limit: Limit = 50, cursor: Cursor = None
) -> Page[PlanOut]:
    rows = await PlanRepository(session).page(
        area_prefix=scope, after=paging.after_id(cursor), limit=limit + 1
    )
    items = [await _plan_out(session, p) for p in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(str(items[-1].id)) if len(rows) > limit else None)


@router.get("/plans/{plan_id}", response_model=PlanOut)
async def get_plan(plan_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> PlanOut:
    return await _plan_out(session, await service.get_plan(session, actor=user, plan_id=plan_id))


@router.get("/plans/{plan_id}/lines", response_model=Page[PlanLineOut])
async def plan_lines(
    plan_id: uuid.UUID, session: SessionDep, user: CurrentUser, limit: Limit = 100, cursor: Cursor = None
) -> Page[PlanLineOut]:
    await service.get_plan(session, actor=user, plan_id=plan_id)
    rows = await PlanRepository(session).line_page(plan_id, after=paging.after_line(cursor), limit=limit + 1)
    items = [PlanLineOut.model_validate(r) for r in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(rows[limit - 1].id) if len(rows) > limit else None)


@router.get("/plans/{plan_id}/arrears", response_model=list[ArrearsRow])
async def plan_arrears(plan_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> list[ArrearsRow]:
    """Who has paid in what the plan says they owe, per year: money seen to arrive."""
    await service.get_plan(session, actor=user, plan_id=plan_id)
    repo = PlanRepository(session)
    received = await repo.received(plan_id)
    return [
        ArrearsRow(
            payer=payer,
            year=year,
            owed_fen=owed,
            received_fen=received.get((payer, year), 0),
            outstanding_fen=owed - received.get((payer, year), 0),
        )
        for payer, year, owed in await repo.totals(plan_id)
    ]
