"""A fake provincial platform (a local HTTP server: the one fake allowed) and event helpers."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext

from shared.feed.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.support.receivers import serving

SECRET = "provincial-platform-shared-secret"



@dataclass
class Receiver:
    """Records every POST; answers ``fail_status`` while ``failing``; checks the signature."""

    secret: str = SECRET
    delay_s: float = 0.0
    failing: bool = False
    fail_status: int = 500
    accepted: list[list[dict[str, Any]]] = field(default_factory=list)
    attempts: int = 0
    bad_signatures: int = 0
    content_types: set[str] = field(default_factory=set)
    delivery_ids: list[str] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for batch in self.accepted for e in batch]

    def handle(self, headers: Any, body: bytes) -> int:
        with self._lock:
            self.attempts += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay_s:
                time.sleep(self.delay_s)
            if self.failing:
                return self.fail_status
            sig_ok = verify(
                self.secret, headers.get(TIMESTAMP_HEADER, ""), body, headers.get(SIGNATURE_HEADER, "")
            )
            with self._lock:
                if not sig_ok:
                    self.bad_signatures += 1
                    return 401
                self.content_types.add(headers.get("Content-Type", ""))
                self.delivery_ids.append(headers.get(DELIVERY_HEADER, ""))
                self.accepted.append(json.loads(body))
            return 200
        finally:
            with self._lock:
                self.in_flight -= 1


@contextmanager
def running_receiver(receiver: Receiver) -> Iterator[Receiver]:
    with serving(lambda _path, headers, body: receiver.handle(headers, body)) as base:
        receiver.url = f"{base}/hooks/jingzhun"
        yield receiver


def cloud_event(event_type: str, **data: Any) -> dict[str, Any]:
    service = event_type.split(".", 1)[0]
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"jingzhun/{service}",
        "type": event_type,
        "subject": str(data.get("household_id", "x")),
        "time": "2026-11-26T08:00:00Z",
        "datacontenttype": "application/json",
        "data": data,
    }


async def publish(js: JetStreamContext, event: dict[str, Any]) -> int:
    """Publish as the outbox relay does (subject = type, Nats-Msg-Id = id); returns the sequence."""
    ack = await js.publish(
        event["type"], json.dumps(event).encode(), headers={"Nats-Msg-Id": event["id"]}, timeout=5
    )
    return ack.seq


def jetstream_getter(js: JetStreamContext) -> Callable[[], Awaitable[JetStreamContext]]:
    async def get() -> JetStreamContext:
        return js

    return get
