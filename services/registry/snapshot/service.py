"""A consistent snapshot of the registry for an area subtree, stamped with its feed position: the
shared snapshot (shared/snapshot.py: the position, the transaction, the ``reflected`` lines) over
the registry's areas, households and members, member names masked (resident IDs are stored masked
beside the encrypted ones)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.snapshot import repository
from shared import snapshot
from shared.pii import mask_name
from shared.snapshot import Section


def _masked(member: dict[str, Any]) -> dict[str, Any]:
    member["name_masked"] = mask_name(member.pop("name"))
    return member


SECTIONS = (
    Section("area", repository.areas),
    Section("household", repository.households),
    Section("member", repository.members, shape=_masked),
)


def lines(
    engine: AsyncEngine, *, prefix: str, stream_last_seq: Callable[[], Awaitable[int]]
) -> AsyncIterator[bytes]:
    """NDJSON lines: a header with ``feed_after``, then areas, households, members (IDs and names
    masked), ``reflected`` event ids, then an ``end`` line with the counts."""
    return snapshot.lines(
        engine, service="registry", prefix=prefix, sections=SECTIONS, stream_last_seq=stream_last_seq
    )
