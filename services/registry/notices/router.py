"""GET /public/notices: the registry's public notice board (公示栏), no login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.deps import TodayDep
from services.registry.notices import service
from services.registry.notices.rules import NoticeKind
from services.registry.notices.schemas import PublicNoticeOut
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN
from shared.pagination import Cursor, Limit, Page
from shared.ratelimit import PUBLIC_RATE_LIMIT, RATE_LIMITED_RESPONSES

router = APIRouter(tags=["public notices"])


@router.get(
    "/public/notices",
    response_model=Page[PublicNoticeOut],
    dependencies=[PUBLIC_RATE_LIMIT],
    responses=RATE_LIMITED_RESPONSES,
)
async def public_notices(
    session: SessionDep,
    today: TodayDep,
    area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN, description="a village, township or county")],
    kind: NoticeKind | None = None,
    current: bool = True,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PublicNoticeOut]:
    """No login: the identification and exit notices of a village (or of every village under a
    township or county), running today (current=true) or ended within the last 30 days
    (current=false). Masked head name, household size, causes, dates; never a resident ID."""
    items, next_cursor = await service.board(
        session=session,
        area_code=area_code,
        kind=kind,
        current=current,
        today=today,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=items, next_cursor=next_cursor)
