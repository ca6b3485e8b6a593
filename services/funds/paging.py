"""Typed keyset cursors: a cursor that decodes to the wrong shape is bad input (422), never a 500."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.errors import InvalidInput
from shared.pagination import decode_cursor

__all__ = ["after_code", "after_code_version", "after_id", "after_line", "after_time_id"]


def _bad() -> InvalidInput:
    return InvalidInput("The cursor is not one this list gave out; start again without it")


def after_time_id(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        return datetime.fromisoformat(key[0]), uuid.UUID(key[1])
    except (TypeError, ValueError, IndexError, KeyError) as exc:
        raise _bad() from exc


def after_id(cursor: str | None) -> str | None:
    """A uuid cursor, returned as its canonical string."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        return str(uuid.UUID(str(key)))
    except ValueError as exc:
        raise _bad() from exc


def after_code(cursor: str | None) -> str | None:
    key = decode_cursor(cursor)
    if key is not None and not isinstance(key, str):
        raise _bad()
    return key


def after_code_version(cursor: str | None) -> tuple[str, int] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)):
        raise _bad()
    return key[0], key[1]


def after_line(cursor: str | None) -> int | None:
    key = decode_cursor(cursor)
    if key is not None and not isinstance(key, int):
        raise _bad()
    return key
