"""GET /snapshot: the registry of an area subtree as one consistent NDJSON stream (docs/FEED.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from services.registry.errors import AreaNotFound
from services.registry.snapshot import service
from shared.errors import Problem
from shared.feed.router import jetstream
from shared.fields import AREA_CODE_PATTERN
from shared.snapshot import NDJSON, SnapshotReader, stream_position, subtree_prefix

router = APIRouter(tags=["snapshot"])


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
    user: SnapshotReader,
    area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN, description="the subtree's root area")],
) -> StreamingResponse:
    """The registry under an area as it stood at one instant (one REPEATABLE READ transaction),
    stamped with `feed_after`: read the feed (`/feed/events?after=`) from there and nothing is
    missed; an event already reflected may come again (apply events idempotently). Resident IDs
    and names are masked. Roles service, auditor, admin; the area must lie in the token's area.
    Not paged: the answer is streamed; an interrupted download starts again."""
    prefix = subtree_prefix(user, area_code, AreaNotFound, code=area_code)
    position = stream_position(await jetstream(request), "registry")
    body = service.lines(request.app.state.db.engine, prefix=prefix, stream_last_seq=position)
    return StreamingResponse(body, media_type=NDJSON, headers={"Cache-Control": "no-store"})
