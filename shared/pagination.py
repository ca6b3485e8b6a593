"""Cursor pagination with a bounded page size.

A cursor is an opaque token over the sort key of the last item seen (keyset pagination), so pages
stay stable and cheap however deep a client pages.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.errors import NotFound

__all__ = [
    "CURSOR_PATTERN",
    "MAX_PAGE_SIZE",
    "Cursor",
    "Limit",
    "Page",
    "UnknownCursor",
    "decode_cursor",
    "encode_cursor",
]

MAX_PAGE_SIZE = 200
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


# What encode_cursor gives out: unpadded URL-safe base64 (RFC 4648 §5).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,2048}$"


class UnknownCursor(NotFound):
    """A cursor of the right form that names no page this list gave out. The query is part of the
    resource's name (RFC 9110 §4.1): a page that was never given out is not found (404), as a
    record id that does not exist is; the document cannot tell issued cursors from others."""

    type_slug = "cursor-not-found"
    title = "No such page: the cursor is not one this list gave out"
    title_zh = "翻页游标无效"
    hint_zh = "去掉游标从第一页重新查询，再用上一页返回的 next_cursor 翻页"
    hint_en = "Start again without a cursor, then pass the next_cursor of the previous page"


def unknown_cursor() -> UnknownCursor:
    return UnknownCursor(
        "The cursor is not one this list gave out; start again without it",
        detail_zh="翻页游标无效，请去掉游标从第一页重新查询",
    )


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise unknown_cursor() from exc


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (1-200)")]
Cursor = Annotated[
    str | None,
    Query(
        pattern=CURSOR_PATTERN,
        description="next_cursor from the previous page (404 cursor-not-found for one this list did "
        "not give out)",
    ),
]
