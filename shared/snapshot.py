"""A service's consistent snapshot of what it owns under an area, as NDJSON stamped with its feed
position (docs/FEED.md "Snapshot + catch-up"): funds, pairing and inspection use it; the registry's
own (services/registry/snapshot/) adds its masking as a section's ``shape``.

The position is the stream's last sequence read *before* the snapshot transaction takes its first
read, so every event at or before it is reflected in the snapshot and every change the snapshot
misses is published after it (an event of a change committed before the snapshot may come again:
apply events idempotently). One ``REPEATABLE READ, READ ONLY`` transaction; rows are streamed with
a server-side cursor, so memory stays flat.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal, require_roles
from shared.clock import clock
from shared.errors import InvalidInput, NotFound, Problem
from shared.events.streams import stream_for
from shared.feed.router import jetstream
from shared.fields import AREA_CODE_PATTERN
from shared.tables import outbox

if TYPE_CHECKING:
    # a SELECT of any number of columns (SQLAlchemy 2.1 types a Select by its column types)
    AnySelect = Select[*tuple[Any, ...]]

__all__ = [
    "NDJSON",
    "Section",
    "SnapshotAreaNotFound",
    "SnapshotReader",
    "area_rows",
    "lines",
    "reflected_events",
    "snapshot_router",
    "stream_position",
    "subtree_prefix",
]


def area_rows(
    model: Any, columns: Sequence[str], *, key: str = "id", renamed: Mapping[str, str] | None = None
) -> Callable[[str], AnySelect]:
    """A section's ``rows``: the named ``columns`` of ``model`` (in line order) of the rows whose
    ``area_code`` lies under the prefix, in ``key`` order. A section lists its columns as data, so
    free text that may name people stays out by not being named; ``renamed`` labels a column
    (``{"kind": "dossier_kind"}``: ``kind`` names the line itself).

        dossiers = area_rows(SignoffDossier, ("id", "kind", "status"), renamed={"kind": "dossier_kind"})
    """
    labels = dict(renamed or {})
    picked = [
        getattr(model, name).label(labels[name]) if name in labels else getattr(model, name)
        for name in columns
    ]
    order = getattr(model, key)

    def rows(prefix: str) -> AnySelect:
        return select(*picked).where(model.area_code.startswith(prefix, autoescape=True)).order_by(order)

    return rows


def stream_position(js: JetStreamContext, service: str) -> Callable[[], Awaitable[int]]:
    """``feed_after`` of a snapshot: the service's stream's last sequence when called. A stream not
    made yet (the service has never published) is position 0: read its feed from the start."""

    async def last_seq() -> int:
        try:
            info: Any = await js.stream_info(stream_for(service))
        except NotFoundError:
            return 0
        return int(info.state.last_seq)

    return last_seq


NDJSON = "application/x-ndjson"
_BATCH = 2_000
_CHUNK_BYTES = 256 * 1024
# outbox rows published this long before the snapshot began surely lie at or before feed_after
_REFLECTED_WINDOW_S = 120


class SnapshotAreaNotFound(NotFound):
    type_slug = "snapshot-area-not-found"
    title = "No such area in your area"
    title_zh = "您的辖区内没有该地区"
    hint_zh = "快照的地区须在令牌的辖区之内"
    hint_en = "Ask for an area inside your token's area"


_Shape = Callable[[dict[str, Any]], dict[str, Any]]
# Who may take a snapshot: other services' replicas and auditors (admin always may).
SnapshotReader = Annotated[Principal, Depends(require_roles("service", "auditor"))]


def subtree_prefix(
    user: Principal, area_code: str, not_found: type[NotFound] = SnapshotAreaNotFound, **extensions: Any
) -> str:
    """The prefix of the subtree a snapshot is asked for: 422 for a malformed code; ``not_found``
    (with ``extensions`` in its problem) when the area lies outside the caller's area."""
    try:
        prefix = AreaCode.parse(area_code).prefix
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), field="area_code") from exc
    if not user.covers(area_code):
        raise not_found(
            f"area {area_code} does not exist in your area",
            detail_zh=f"您的辖区内没有地区 {area_code}",
            **extensions,
        )
    return prefix


@dataclass(frozen=True)
class Section:
    """One kind of line: ``kind`` and the statement of its rows under an area prefix (in key order),
    and what to do to each row before it is written (``shape``: masking). No column may be called
    ``kind`` (the line's own key): label it (``Model.kind.label("x_kind")``)."""

    kind: str
    rows: Callable[[str], AnySelect]
    shape: _Shape | None = None


def _json(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):  # the office's time with its offset, as the REST answers write it
        return clock.local(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _line(kind: str, data: dict[str, Any]) -> bytes:
    return (json.dumps({"kind": kind, **data}, ensure_ascii=False, default=_json) + "\n").encode()


async def _rows(
    conn: AsyncConnection, statement: AnySelect, shape: _Shape | None = None
) -> AsyncIterator[dict[str, Any]]:
    result = await conn.stream(statement.execution_options(yield_per=_BATCH))  # a server-side cursor
    async for batch in result.mappings().partitions(_BATCH):  # one round trip (and await) per batch
        for row in batch:
            yield shape(dict(row)) if shape else dict(row)


async def lines(
    engine: AsyncEngine,
    *,
    service: str,
    prefix: str,
    sections: Sequence[Section],
    stream_last_seq: Callable[[], Awaitable[int]],
) -> AsyncIterator[bytes]:
    """header (format, feed_after), the sections' rows in order, ``reflected`` lines (event ids
    already reflected here that may still appear after feed_after: skip them when catching up),
    end (counts, feed_after)."""
    feed_after = await stream_last_seq()  # before the snapshot's first read (module doc)
    taken_at = clock.now()
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with conn.begin():
            counts = {s.kind: 0 for s in sections}
            first_rows = _rows(conn, sections[0].rows(prefix), sections[0].shape)
            first = await anext(first_rows, None)  # the first read fixes the snapshot
            yield _line(
                "header",
                {
                    "format": f"jingzhun.{service}.snapshot.v1",
                    "service": service,
                    "area_prefix": prefix,
                    "feed_after": feed_after,
                    "taken_at": taken_at,
                },
            )
            buffer: list[bytes] = []
            size = 0
            for index, section in enumerate(sections):
                rows = first_rows if index == 0 else _rows(conn, section.rows(prefix), section.shape)
                if index == 0 and first is not None:
                    counts[section.kind] += 1
                    buffer.append(_line(section.kind, first))
                async for row in rows:
                    counts[section.kind] += 1
                    buffer.append(_line(section.kind, row))
                    size += len(buffer[-1])
                    if size >= _CHUNK_BYTES:
                        yield b"".join(buffer)
                        buffer.clear()
                        size = 0
            # Events of changes this snapshot already shows that may still come after feed_after
            # (not yet published, or published around the time the position was read): a reader
            # skips them in the feed, so even additive projections (balances) stay exact.
            counts["reflected"] = 0
            async for row in reflected_events(conn):
                counts["reflected"] += 1
                buffer.append(_line("reflected", {"event_id": row["id"]}))
            yield b"".join(buffer) + _line("end", {"counts": counts, "feed_after": feed_after})


async def reflected_events(conn: AsyncConnection) -> AsyncIterator[dict[str, Any]]:
    """Inside a snapshot transaction: the ids (``id``) of events it already reflects that may still
    be published after the position read before it (unpublished, or published just before)."""
    async for row in _rows(conn, _reflected()):
        yield row


def _reflected() -> Select[Any]:
    recent = outbox.c.published_at >= func.now() - text(f"interval '{_REFLECTED_WINDOW_S} seconds'")
    return select(outbox.c.id).where(or_(outbox.c.published_at.is_(None), recent)).order_by(outbox.c.seq)


def snapshot_router(service: str, sections: Sequence[Section], *, what: str) -> APIRouter:
    """``GET /snapshot?area_code=``: roles service, auditor, admin; the area within the token's."""
    router = APIRouter(tags=["snapshot"])

    @router.get(
        "/snapshot",
        response_class=StreamingResponse,
        responses={
            200: {"content": {NDJSON: {}}, "description": f"header, {what}, end (one JSON object per line)"},
            503: {
                "model": Problem,
                "description": "The event bus is unreachable (the position cannot be read)",
            },
        },
    )
    async def snapshot(
        request: Request,
        user: SnapshotReader,
        area_code: Annotated[str, Query(pattern=AREA_CODE_PATTERN, description="the subtree's root area")],
    ) -> StreamingResponse:
        """What this service holds under an area at one instant (one REPEATABLE READ transaction),
        stamped with `feed_after`: read `/feed/events?after=` from there and nothing is missed
        (an event already reflected may come again: apply events idempotently). Streamed NDJSON,
        not paged (docs/FEED.md)."""
        body = lines(
            request.app.state.db.engine,
            service=service,
            prefix=subtree_prefix(user, area_code),
            sections=sections,
            stream_last_seq=stream_position(await jetstream(request), service),
        )
        return StreamingResponse(body, media_type=NDJSON, headers={"Cache-Control": "no-store"})

    return router
