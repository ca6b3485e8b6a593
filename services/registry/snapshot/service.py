"""A consistent snapshot of the registry for an area subtree, stamped with its feed position.

Position: the stream's last sequence is read *before* the snapshot transaction takes its first
read. The relay publishes an outbox row only after the row's transaction committed, so every event
at or before that sequence was committed before the snapshot began and is in it; every change the
snapshot misses commits later and is published after that sequence. A change committed before the
snapshot but published after the sequence was read is in both: reading the feed from ``feed_after``
may repeat it, and consumers apply events idempotently (docs/FEED.md). Nothing is missed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.snapshot import repository
from shared.clock import clock
from shared.pii import mask_name
from shared.snapshot import reflected_events

SNAPSHOT_FORMAT = "jingzhun.registry.snapshot.v1"
_CHUNK_BYTES = 256 * 1024  # lines are sent in chunks of about this size (one ASGI message each)


def _json(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _line(kind: str, data: dict[str, Any]) -> bytes:
    return (json.dumps({"kind": kind, **data}, ensure_ascii=False, default=_json) + "\n").encode()


async def lines(
    engine: AsyncEngine, *, prefix: str, stream_last_seq: Callable[[], Awaitable[int]]
) -> AsyncIterator[bytes]:
    """NDJSON lines: a header with ``feed_after``, then areas, households, members (IDs and names
    masked), then an ``end`` line with the counts. One REPEATABLE READ, READ ONLY transaction."""
    feed_after = await stream_last_seq()  # before the snapshot's first read: see the module doc
    taken_at = clock.now()
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with conn.begin():
            counts = {"area": 0, "household": 0, "member": 0}
            area_rows = repository.areas(conn, prefix)  # the first read fixes the snapshot
            first = await anext(area_rows, None)
            yield _line(
                "header",
                {
                    "format": SNAPSHOT_FORMAT,
                    "service": "registry",
                    "area_prefix": prefix,
                    "feed_after": feed_after,
                    "taken_at": taken_at,
                },
            )
            buffer: list[bytes] = []
            size = 0

            def add(kind: str, row: dict[str, Any]) -> bool:
                nonlocal size
                counts[kind] += 1
                buffer.append(_line(kind, row))
                size += len(buffer[-1])
                return size >= _CHUNK_BYTES

            def flush() -> bytes:
                nonlocal size
                chunk = b"".join(buffer)
                buffer.clear()
                size = 0
                return chunk

            if first is not None:
                add("area", first)
            async for row in area_rows:
                if add("area", row):
                    yield flush()
            async for row in repository.households(conn, prefix):
                if add("household", row):
                    yield flush()
            async for row in repository.members(conn, prefix):
                row["name_masked"] = mask_name(row.pop("name"))
                if add("member", row):
                    yield flush()
            # events of changes shown here that may still come after feed_after: skip them
            counts["reflected"] = 0
            async for row in reflected_events(conn):
                if add("reflected", {"event_id": row["id"]}):
                    yield flush()
            yield flush() + _line("end", {"counts": counts, "feed_after": feed_after})
