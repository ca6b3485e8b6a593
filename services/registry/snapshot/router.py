"""GET /snapshot: the registry of an area subtree as one consistent NDJSON stream (docs/FEED.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from services.registry.errors import AreaNotFound
from services.registry.snapshot import service
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal, require_roles
from shared.errors import InvalidInput, Problem
from shared.feed.router import jetstream
from shared.fields import AREA_CODE_PATTERN
from shared.snapshot import stream_position

router = APIRouter(tags=["snapshot"])
Reader = Annotated[Principal, Depends(require_roles("service", "auditor"))]
NDJSON = "application/x-ndjson"


@router.get(
    "/snapshot",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {NDJSON: {}},
            "description": "header, area…, household…, member…, end (one JSON per line)",
        },
        503: {"model": Problem, "description": "The event bus is unreachable (the position cannot be read)"},
    },
)
async def snapshot(
    request: Request,
    user: Reader,
    area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN, description="the subtree's root area")],
) -> StreamingResponse:
    """The registry under an area as it stood at one instant (one REPEATABLE READ transaction),
    stamped with `feed_after`: read the feed (`/feed/events?after=`) from there and nothing is
    missed; an event already reflected may come again (apply events idempotently). Resident IDs
    and names are masked. Roles service, auditor, admin; the area must lie in the token's area.
    Not paged: the answer is streamed; an interrupted download starts again."""
    try:
        prefix = AreaCode.parse(area_code).prefix
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), field="area_code") from exc
    if not user.covers(area_code):
        raise AreaNotFound(
            f"area {area_code} does not exist in your area",
            detail_zh=f"您的辖区内没有地区 {area_code}",
            code=area_code,
        )
    position = stream_position(await jetstream(request), "registry")
    body = service.lines(request.app.state.db.engine, prefix=prefix, stream_last_seq=position)
    return StreamingResponse(body, media_type=NDJSON, headers={"Cache-Control": "no-store"})
