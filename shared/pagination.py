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

from shared.errors import InvalidInput

__all__ = ["MAX_PAGE_SIZE", "Cursor", "Limit", "Page", "decode_cursor", "encode_cursor"]

MAX_PAGE_SIZE = 200
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidInput("The cursor is not one this service gave out; start again without it") from exc


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (1-200)")]
Cursor = Annotated[str | None, Query(description="next_cursor from the previous page")]
