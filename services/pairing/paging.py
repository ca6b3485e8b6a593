"""Keyset cursors over row ids, shared by pairing's list routes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from shared.errors import InvalidInput
from shared.pagination import Page, decode_cursor, encode_cursor

T = TypeVar("T")


def after_id(cursor: str | None) -> uuid.UUID | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise InvalidInput(
            "The cursor is not one this service gave out; start again without it",
            detail_zh="翻页游标无效，请去掉游标从第一页重新查询",
        ) from exc


def page(items: Sequence[T], limit: int, key: Any = lambda item: item.id) -> Page[T]:
    """A full page carries a cursor to the next; a short page is the last."""
    last = key(items[-1]) if items else None
    cursor = encode_cursor(last if isinstance(last, list) else str(last)) if len(items) == limit else None
    return Page[T](items=list(items), next_cursor=cursor)
