"""Staff routes under /disclosures (login) and the public board under /public/disclosures (no login)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

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
from services.funds.vocabulary import NOTICE_STATES, PROJECT_STATUSES
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.fields import AREA_CODE_PATTERN
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page, encode_cursor
from shared.ratelimit import PUBLIC_RATE_LIMIT, RATE_LIMITED_RESPONSES

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
        late_entry=notice.late_entry,
    )


def _in_chinese(content: dict[str, Any]) -> dict[str, Any]:
    """The board prints the projects' statuses in Chinese; the stored snapshot keeps the codes."""
    projects = [
        {**p, "status_label": PROJECT_STATUSES.get(str(p.get("status")), p.get("status"))}
        for p in content.get("projects", [])
    ]
    return {**content, "projects": projects} if "projects" in content else content


async def _public(session: AsyncSession, notice: Notice, today: date) -> PublicNoticeOut:
    objections = await DisclosureRepository(session).objections(notice.id)
    state = service.state_of(notice, today)
    return PublicNoticeOut(
        id=notice.id,
        area_code=notice.area_code,
        title=notice.title,
        published_on=notice.published_on,
        ends_on=rules.ends_on(notice.published_on, notice.notice_days),
        state=state,
        state_label=NOTICE_STATES.get(state, state),
        content=_in_chinese(notice.content),
        objections_lodged=len(objections),
        objections_resolved=sum(1 for o in objections if o.status == "resolved"),
        late_entry=_public_late_entry(notice.late_entry),
    )


def _public_late_entry(late: dict[str, Any] | None) -> dict[str, Any] | None:
    """The board shows that and why the date was entered late, not the officer's account name."""
    return None if late is None else {k: v for k, v in late.items() if k != "recorded_by"}


@router.post("/disclosures", status_code=201, response_model=NoticeOut)
async def publish(
    body: NoticeIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> NoticeOut:
    out = await _out(session, await service.publish(session, actor=user, data=body, today=today), today)
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
        raise InvalidInput(str(exc), detail_zh=exc.zh) from exc


@router.get(
    "/public/disclosures",
    response_model=Page[PublicNoticeOut],
    dependencies=[PUBLIC_RATE_LIMIT],
    responses=RATE_LIMITED_RESPONSES,
)
async def public_list(
    session: SessionDep,
    today: TodayDep,
    area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PublicNoticeOut]:
    """No login: anyone may read the notices of a village (or of every village under a town or county)."""
    rows = await DisclosureRepository(session).page(
        area_prefix=_subtree(area_code), after=paging.after_id(cursor), limit=limit + 1
    )
    items = [await _public(session, n, today) for n in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(str(items[-1].id)) if len(rows) > limit else None)


@router.get(
    "/public/disclosures/{notice_id}",
    response_model=PublicNoticeOut,
    dependencies=[PUBLIC_RATE_LIMIT],
    responses=RATE_LIMITED_RESPONSES,
)
async def public_notice(notice_id: uuid.UUID, session: SessionDep, today: TodayDep) -> PublicNoticeOut:
    return await _public(session, await service.get_public(session, notice_id=notice_id), today)
