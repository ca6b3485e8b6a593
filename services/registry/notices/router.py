"""GET /public/notices: the registry's public notice board (公示栏), no login."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.deps import TodayDep
from services.registry.notices import schemas, service
from services.registry.notices.rules import NoticeKind, how_to_object
from services.registry.vocabulary import CODE_LABELS, NoticeKindLabel
from shared.answers import PUBLIC_READ, PagingLimitFirst, page_of
from shared.db import SessionDep
from shared.fields import COUNTY_OR_BELOW_PATTERN
from shared.pagination import Page
from shared.pii import mask_name
from shared.vocabulary import labels_of

router = APIRouter(tags=["public notices"])


@router.get("/public/notices", response_model=Page[schemas.PublicNoticeOut], **PUBLIC_READ)
async def public_notices(
    session: SessionDep,
    today: TodayDep,
    area_code: Annotated[
        str, Query(pattern=COUNTY_OR_BELOW_PATTERN, description="a village, township or county")
    ],
    q: PagingLimitFirst,
    kind: NoticeKindLabel | None = None,
    current: bool = True,
) -> Page[schemas.PublicNoticeOut]:
    """No login: the identification and exit notices of a village (or of every village under a
    township or county), running today (current=true) or ended within the last 30 days
    (current=false). Masked head name, household size, causes, dates; never a resident ID."""
    found = await service.board(
        session=session,
        area_code=area_code,
        kind=NoticeKind(kind.value) if kind else None,
        current=current,
        today=today,
        **q.args,
    )
    return page_of(lambda n: _out(n, today), found)


def _out(n: service.Notice, today: date) -> schemas.PublicNoticeOut:
    h, is_ident = n.household, n.kind is NoticeKind.IDENTIFICATION
    return schemas.PublicNoticeOut(
        kind=n.kind,
        kind_label=NoticeKindLabel(n.kind.value).label,
        village_code=h.area_code,
        village_name=n.village_name,
        head_name_masked=mask_name(h.head_name),
        member_count=h.member_count,
        poverty_causes=labels_of(h.poverty_causes, CODE_LABELS) if is_ident else None,
        poverty_cause_codes=list(h.poverty_causes or ()) if is_ident else None,
        exited_on=None if is_ident else h.exited_on,
        notice_starts_on=n.first_day,
        notice_last_day=n.last_day,
        current=n.first_day <= today <= n.last_day,
        open_objections=n.open_objections if is_ident else None,
        how_to_object=how_to_object(n.village_name, n.township_name, n.last_day, n.kind),
        late_entries=[schemas.LateEntryOut.model_validate(e, from_attributes=True) for e in n.late_entries]
        if is_ident
        else [],
    )
