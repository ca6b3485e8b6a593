"""Staff routes under /disclosures (login) and the public board under /public/disclosures (no login)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import paging
from services.funds.deps import Finance, TodayDep
from services.funds.disclosures import rules, service
from services.funds.disclosures.repository import DisclosureRepository
from services.funds.disclosures.schemas import (
    NoticeIn,
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
    PublicNoticeOut,
    ResolutionIn,
)
from services.funds.models import Notice
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(tags=["disclosures"])


async def _out(session: AsyncSession, notice: Notice, today: date) -> NoticeOut:
    objections = await DisclosureRepository(session).objections(notice.id)
    return NoticeOut(
        id=notice.id,
        area_code=notice.area_code,
        title=notice.title,
        published_on=notice.published_on,
        ends_on=rules.ends_on(notice.published_on, notice.notice_days),
        notice_days=notice.notice_days,
        state=service.state_of(notice, today),
        content=notice.content,
        objections=[ObjectionOut.model_validate(o) for o in objections],
    )


async def _public(session: AsyncSession, notice: Notice, today: date) -> PublicNoticeOut:
    objections = await DisclosureRepository(session).objections(notice.id)
    return PublicNoticeOut(
        id=notice.id,
        area_code=notice.area_code,
        title=notice.title,
        published_on=notice.published_on,
        ends_on=rules.ends_on(notice.published_on, notice.notice_days),
        state=service.state_of(notice, today),
        content=notice.content,
        objections_lodged=len(objections),
        objections_resolved=sum(1 for o in objections if o.status == "resolved"),
    )


@router.post("/disclosures", status_code=201, response_model=NoticeOut)
async def publish(
    body: NoticeIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> NoticeOut:
    out = await _out(session, await service.publish(session, actor=user, data=body), today)
    await idem.save(201, out)
    return out


@router.get("/disclosures/{notice_id}", response_model=NoticeOut)
async def get_notice(
    notice_id: uuid.UUID, session: SessionDep, user: CurrentUser, today: TodayDep
) -> NoticeOut:
    return await _out(session, await service.get_visible(session, actor=user, notice_id=notice_id), today)


@router.post("/disclosures/{notice_id}/objections", status_code=201, response_model=ObjectionOut)
async def lodge(
    notice_id: uuid.UUID, body: ObjectionIn, session: SessionDep, user: CurrentUser, today: TodayDep
) -> ObjectionOut:
    return ObjectionOut.model_validate(
        await service.lodge_objection(session, actor=user, notice_id=notice_id, text=body.text, today=today)
    )


@router.post("/disclosures/{notice_id}/objections/{objection_id}/resolve", response_model=ObjectionOut)
async def resolve(
    notice_id: uuid.UUID, objection_id: uuid.UUID, body: ResolutionIn, session: SessionDep, user: Finance
) -> ObjectionOut:
    return ObjectionOut.model_validate(
        await service.resolve_objection(
            session, actor=user, notice_id=notice_id, objection_id=objection_id, resolution=body.resolution
        )
    )


@router.post("/disclosures/{notice_id}/close", response_model=NoticeOut)
async def close(notice_id: uuid.UUID, session: SessionDep, user: Finance, today: TodayDep) -> NoticeOut:
    return await _out(
        session, await service.close(session, actor=user, notice_id=notice_id, today=today), today
    )


def _subtree(area_code: str) -> str:
    try:
        return AreaCode.parse(area_code).prefix
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc)) from exc


@router.get("/public/disclosures", response_model=Page[PublicNoticeOut])
async def public_list(
    session: SessionDep,
    today: TodayDep,
    area_code: Annotated[str, Query(pattern=r"^[0-9]{12}$")],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PublicNoticeOut]:
    """No login: anyone may read the notices of a village (or of every village under a town or county)."""
    rows = await DisclosureRepository(session).page(
        area_prefix=_subtree(area_code), after=paging.after_id(cursor), limit=limit + 1
    )
    items = [await _public(session, n, today) for n in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(str(items[-1].id)) if len(rows) > limit else None)


@router.get("/public/disclosures/{notice_id}", response_model=PublicNoticeOut)
async def public_notice(notice_id: uuid.UUID, session: SessionDep, today: TodayDep) -> PublicNoticeOut:
    return await _public(session, await service.get_public(session, notice_id=notice_id), today)
