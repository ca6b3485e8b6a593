"""Staff routes under /disclosures (login) and the public board under /public/disclosures (no login)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.funds.deps import Finance, TodayDep
from services.funds.disclosures import schemas, service
from services.funds.vocabulary import NOTICE_STATES, PROJECT_CATEGORIES, PROJECT_STATUSES
from shared.answers import PUBLIC_READ, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN
from shared.idempotency import IdempotencyDep
from shared.money import yuan_zh
from shared.pagination import Cursor, Limit, Page
from shared.shaping import from_row

router = APIRouter(tags=["disclosures"])


def _out(read: service.NoticeOnBoard) -> schemas.NoticeOut:
    return from_row(
        schemas.NoticeOut,
        read.notice,
        ends_on=read.ends_on,
        state=read.state,
        objections=[schemas.ObjectionOut.model_validate(o) for o in read.objections],
    )


def _in_chinese(content: dict[str, Any]) -> dict[str, Any]:
    """The board prints the projects' statuses and categories in Chinese and every amount in 元 beside its fen
    (``entitlement_fen_label``: "600.00元"); the stored snapshot keeps the codes and the fen."""
    shown = {k: _with_yuan(v) for k, v in content.items()}
    if "projects" in content:
        shown["projects"] = [
            {
                **p,
                "status_label": PROJECT_STATUSES.get(str(p.get("status")), p.get("status")),
                "category_label": PROJECT_CATEGORIES.get(str(p.get("category")), p.get("category")),
            }
            for p in shown["projects"]
        ]
    return shown


def _with_yuan(value: Any) -> Any:
    """A board section (an object or a list of them) with ``<name>_fen_label`` beside each amount."""
    if isinstance(value, list):
        return [_with_yuan(v) for v in value]
    if not isinstance(value, dict):
        return value
    labels = {f"{k}_label": yuan_zh(v) for k, v in value.items() if k.endswith("_fen") and type(v) is int}
    return {**value, **labels}


def _public(read: service.NoticeOnBoard) -> schemas.PublicNoticeOut:
    notice = read.notice
    return from_row(
        schemas.PublicNoticeOut,
        notice,
        ends_on=read.ends_on,
        state=read.state,
        state_label=NOTICE_STATES.get(read.state, read.state),
        content=_in_chinese(notice.content),
        objections_lodged=len(read.objections),
        objections_resolved=sum(1 for o in read.objections if o.status == "resolved"),
        late_entry=_public_late_entry(notice.late_entry),
    )


def _public_late_entry(late: dict[str, Any] | None) -> dict[str, Any] | None:
    """The board shows that and why the date was entered late, not the officer's account name."""
    return None if late is None else {k: v for k, v in late.items() if k != "recorded_by"}


@router.post("/disclosures", status_code=201, response_model=schemas.NoticeOut)
async def publish(
    body: schemas.NoticeIn, session: SessionDep, user: Finance, today: TodayDep, idem: IdempotencyDep
) -> schemas.NoticeOut:
    return await idem.answer(_out(await service.publish(session, actor=user, data=body, today=today)))


@router.get("/disclosures/{notice_id}", response_model=schemas.NoticeOut)
async def get_notice(
    notice_id: uuid.UUID, session: SessionDep, user: CurrentUser, today: TodayDep
) -> schemas.NoticeOut:
    return _out(await service.read(session, actor=user, notice_id=notice_id, today=today))


@router.post("/disclosures/{notice_id}/objections", status_code=201, response_model=schemas.ObjectionOut)
async def lodge(
    notice_id: uuid.UUID, body: schemas.ObjectionIn, session: SessionDep, user: CurrentUser, today: TodayDep
) -> schemas.ObjectionOut:
    return schemas.ObjectionOut.model_validate(
        await service.lodge_objection(session, actor=user, notice_id=notice_id, text=body.text, today=today)
    )


@router.post(
    "/disclosures/{notice_id}/objections/{objection_id}/resolve", response_model=schemas.ObjectionOut
)
async def resolve(
    notice_id: uuid.UUID,
    objection_id: uuid.UUID,
    body: schemas.ResolutionIn,
    session: SessionDep,
    user: Finance,
) -> schemas.ObjectionOut:
    return schemas.ObjectionOut.model_validate(
        await service.resolve_objection(
            session, actor=user, notice_id=notice_id, objection_id=objection_id, resolution=body.resolution
        )
    )


@router.post("/disclosures/{notice_id}/close", response_model=schemas.NoticeOut)
async def close(
    notice_id: uuid.UUID, session: SessionDep, user: Finance, today: TodayDep
) -> schemas.NoticeOut:
    return _out(await service.close(session, actor=user, notice_id=notice_id, today=today))


@router.get("/public/disclosures", response_model=Page[schemas.PublicNoticeOut], **PUBLIC_READ)
async def public_list(
    session: SessionDep,
    today: TodayDep,
    area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[schemas.PublicNoticeOut]:
    """No login: anyone may read the notices of a village (or of every village under a town or county)."""
    notices = await service.page_public(session, area_code=area_code, today=today, cursor=cursor, limit=limit)
    return page_of(_public, notices)


@router.get("/public/disclosures/{notice_id}", response_model=schemas.PublicNoticeOut, **PUBLIC_READ)
async def public_notice(
    notice_id: uuid.UUID, session: SessionDep, today: TodayDep
) -> schemas.PublicNoticeOut:
    return _public(await service.read_public(session, notice_id=notice_id, today=today))
