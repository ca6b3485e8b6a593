"""Request-scoped context: the request id that travels from HTTP into logs and event headers."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

__all__ = ["get_request_id", "new_request_id", "request_id_var"]

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def get_request_id() -> str | None:
    return request_id_var.get()
