"""CloudEvents 1.0 JSON envelope (structured mode)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from shared.clock import clock

__all__ = ["CloudEvent", "service_of"]


def _now() -> datetime:
    return clock.now()


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str
    time: datetime = Field(default_factory=_now)
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    requestid: str | None = None
    # CloudEvents distributed-tracing extension: the trace the event was written in (shared.tracing).
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    # ``data`` parsed into its contract (shared.events.contracts.parse), once per received event.
    _contract: Any = PrivateAttr(default=None)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def service_of(event_type: str) -> str:
    """``registry.household.registered.v1`` -> ``registry`` (the producing service and stream)."""
    return event_type.split(".", 1)[0]
