"""The pull feed: a page of a service's stream after a cursor (the stream sequence).

An ephemeral pull consumer (no acks, memory state, gone seconds after the request) starts at
``after + 1`` with the subject filter; it reports how many matching events remain, so the page is
fetched in one round without waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.events.streams import stream_for
from shared.feed.config import covers, event_area

__all__ = ["CursorAhead", "FeedPage", "read_page"]

_FETCH_TIMEOUT_S = 5.0


class CursorAhead(ValueError):
    def __init__(self, after: int, last_seq: int) -> None:
        super().__init__(f"the cursor {after} is past the stream's last sequence {last_seq}")
        self.after = after
        self.last_seq = last_seq


@dataclass
class FeedPage:
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    next_after: int = 0
    has_more: bool = False
    last_seq: int = 0


async def read_page(
    js: JetStreamContext,
    *,
    service: str,
    after: int,
    limit: int,
    subjects: str,
    area_prefix: str,
) -> FeedPage:
    """Events with sequence > ``after`` matching ``subjects``, at most ``limit`` examined.

    Events outside ``area_prefix`` are examined but left out, so ``next_after`` moves past them.
    """
    stream = stream_for(service)
    info = await js.stream_info(stream)
    last_seq = info.state.last_seq
    if after > last_seq:
        raise CursorAhead(after, last_seq)
    page = FeedPage(next_after=after, last_seq=last_seq)
    if after == last_seq:
        return page
    consumer = await js.add_consumer(
        stream,
        ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=after + 1,
            ack_policy=AckPolicy.NONE,
            filter_subject=subjects,
            inactive_threshold=5.0,
            mem_storage=True,
            num_replicas=1,
            max_waiting=1,
        ),
    )
    pending = consumer.num_pending or 0
    wanted = min(limit, pending)
    if wanted == 0:
        await _forget(js, stream, consumer.name)
        return page
    sub = await js.pull_subscribe_bind(consumer=consumer.name, stream=stream)
    try:
        msgs = await sub.fetch(wanted, timeout=_FETCH_TIMEOUT_S)
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
        await _forget(js, stream, consumer.name)
    for msg in msgs:
        seq = msg.metadata.sequence.stream
        page.next_after = max(page.next_after, seq)
        try:
            event = json.loads(msg.data)
        except ValueError:
            continue  # not an event (never written by our relay): skipped, the cursor moves on
        if not isinstance(event, dict):
            continue
        if covers(area_prefix, event_area(event)):
            page.events.append((seq, event))
    page.has_more = pending > len(msgs)
    return page


async def _forget(js: JetStreamContext, stream: str, name: str) -> None:
    """Delete the ephemeral consumer without making the caller wait (the server expires it anyway)."""

    async def delete() -> None:
        with contextlib.suppress(Exception):
            await js.delete_consumer(stream, name)

    task = asyncio.create_task(delete())
    _background.add(task)
    task.add_done_callback(_background.discard)


_background: set[asyncio.Task[None]] = set()
