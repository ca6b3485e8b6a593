"""Request-scoped context: the request id that travels from HTTP into logs and event headers."""

from __future__ import annotations

import random
from contextvars import ContextVar

__all__ = ["get_request_id", "new_request_id", "request_id_var"]

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


# A random UUID's version and variant bits (RFC 9562 4.1, 5.4), in a 128-bit integer.
_V4_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_request_id() -> str:
    """A random (version 4) UUID as 32 hex digits, what ``uuid.uuid4().hex`` gives, without its
    ``os.urandom`` call and UUID object on every request. The id names a request in the logs and
    event headers, it guards nothing: Python's generator (seeded from the OS, and again in a forked
    worker) is random enough, and 122 random bits do not repeat."""
    return f"{random.getrandbits(128) & _V4_KEEP | _V4_SET:032x}"


def get_request_id() -> str | None:
    return request_id_var.get()
