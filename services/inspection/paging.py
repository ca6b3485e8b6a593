"""Keyset cursors over (created_at, id), the order every inspection list uses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared.errors import InvalidInput
from shared.pagination import decode_cursor, encode_cursor


class Keyed(Protocol):
    created_at: datetime
    id: uuid.UUID


def after_key(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw[0]), uuid.UUID(raw[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise InvalidInput(
            "The cursor is not one this service gave out; start again without it",
            detail_zh="翻页游标无效，请去掉游标从第一页重新查询",
        ) from exc


def next_cursor(rows: Sequence[Keyed], limit: int) -> str | None:
    """Repositories fetch ``limit + 1`` rows; a surplus row means there is another page."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor([last.created_at.isoformat(), str(last.id)])
