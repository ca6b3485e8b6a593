"""Each subscription's delivery status, kept in a JetStream key-value bucket (no database table).

Every replica reads it (the admin status route, the back-off before a retry); only the replica
holding the subscription's lock writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo, KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel

from shared.events.streams import stream_for

__all__ = ["STATUS_BUCKET", "DeliveryStatus", "StatusStore", "WebhookState", "pending_of", "webhook_states"]

STATUS_BUCKET = "FEED_STATUS"


class DeliveryStatus(BaseModel):
    last_delivery_at: datetime | None = None
    last_delivery_id: str | None = None
    last_delivered_seq: int | None = None
    delivered_events: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    retry_at: datetime | None = None


class StatusStore:
    def __init__(self, js: JetStreamContext, *, service: str, replicas: int = 1) -> None:
        self.js = js
        self.service = service
        self.replicas = replicas
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            try:
                self._kv = await self.js.key_value(STATUS_BUCKET)
            except BucketNotFoundError:
                self._kv = await self.js.create_key_value(
                    KeyValueConfig(
                        bucket=STATUS_BUCKET, history=1, storage=StorageType.FILE, replicas=self.replicas
                    )
                )
        return self._kv

    async def get(self, subscription: str) -> DeliveryStatus:
        return await _read(await self._bucket(), self.service, subscription)

    async def put(self, subscription: str, status: DeliveryStatus) -> None:
        kv = await self._bucket()
        await kv.put(f"{self.service}.{subscription}", status.model_dump_json().encode())


async def _read(kv: KeyValue, service: str, subscription: str) -> DeliveryStatus:
    try:
        entry = await kv.get(f"{service}.{subscription}")
    except KeyNotFoundError:
        return DeliveryStatus()
    return DeliveryStatus.model_validate_json(entry.value or b"{}")


def pending_of(info: ConsumerInfo) -> int:
    """Events a subscription's receiver has not accepted yet: not fetched, or fetched and unacked."""
    return (info.num_pending or 0) + (info.num_ack_pending or 0)


@dataclass(frozen=True)
class WebhookState:
    service: str
    name: str
    pending: int
    status: DeliveryStatus


async def webhook_states(js: JetStreamContext, services: Iterable[str]) -> list[WebhookState]:
    """Every webhook durable (``feed-<name>``) on the services' streams with its backlog and last
    status, read-only (``jingzhun status``): a durable ops removed from the settings but left in
    NATS shows too, as its backlog grows."""
    try:
        kv: KeyValue | None = await js.key_value(STATUS_BUCKET)
    except BucketNotFoundError:
        kv = None  # no round has recorded a delivery or failure yet
    states = []
    for service in services:
        try:
            infos = await js.consumers_info(stream_for(service))
        except NotFoundError:
            continue  # the service never started: no stream yet
        for info in sorted(infos, key=lambda i: i.name):
            if not info.name.startswith("feed-"):
                continue
            name = info.name.removeprefix("feed-")
            status = DeliveryStatus() if kv is None else await _read(kv, service, name)
            states.append(WebhookState(service, name, pending_of(info), status))
    return states
