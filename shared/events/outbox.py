"""Transactional outbox: the event row is written in the caller's transaction.

A rollback drops the event with the change; a commit makes both durable. The relay sends it later.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.context import get_request_id
from shared.db import Write, write_rows
from shared.events.envelope import CloudEvent, service_of
from shared.tables import outbox
from shared.tracing import event_trace_context

__all__ = ["add_event", "add_events", "event_write"]

# One event's INSERT, built once (its values parameters): built per call, SQLAlchemy walked the
# new statement for its cache key every time (a fifth of a registration's outbox write).
_COLUMNS = ("id", "type", "subject", "envelope", "request_id")
_INSERT_ONE = insert(outbox).values({c: bindparam(c, type_=outbox.c[c].type) for c in _COLUMNS})


async def add_event(session: AsyncSession, *, type: str, subject: str, data: dict[str, Any]) -> CloudEvent:
    event, write = event_write(type=type, subject=subject, data=data)
    await write_rows(session, *write)
    return event


def event_write(*, type: str, subject: str, data: dict[str, Any]) -> tuple[CloudEvent, Write]:
    """The event and its outbox row's INSERT, not yet run: for a use case that sends its writes
    together (``shared.db.write_together``); :func:`add_event` runs it at once."""
    event = CloudEvent(
        source=f"jingzhun/{service_of(type)}",
        type=type,
        subject=subject,
        data=data,
        requestid=get_request_id(),
        **event_trace_context(),
    )
    row = {
        "id": uuid.UUID(event.id),
        "type": event.type,
        "subject": event.subject,
        "envelope": event.model_dump(mode="json", exclude_none=True),
        "request_id": event.requestid,
    }
    return event, (_INSERT_ONE, row)


async def add_events(
    session: AsyncSession, events: Sequence[tuple[str, str, dict[str, Any]]]
) -> list[CloudEvent]:
    """Many ``(type, subject, data)`` events in one multi-row INSERT (jobs that emit thousands)."""
    if not events:
        return []
    rid = get_request_id()
    trace = event_trace_context()
    out = [
        CloudEvent(source=f"jingzhun/{service_of(t)}", type=t, subject=s, data=d, requestid=rid, **trace)
        for t, s, d in events
    ]
    await session.execute(
        insert(outbox),
        [
            {
                "id": uuid.UUID(e.id),
                "type": e.type,
                "subject": e.subject,
                "envelope": e.model_dump(mode="json", exclude_none=True),
                "request_id": e.requestid,
            }
            for e in out
        ],
    )
    return out
