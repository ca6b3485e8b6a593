"""Each subscription's delivery status, kept in a JetStream key-value bucket (no database table).

Every replica reads it (the admin status route, the back-off before a retry); only the replica
holding the subscription's lock writes it.
"""

from __future__ import annotations

from datetime import datetime

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel

__all__ = ["STATUS_BUCKET", "DeliveryStatus", "StatusStore"]

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

    def _key(self, subscription: str) -> str:
        return f"{self.service}.{subscription}"

    async def get(self, subscription: str) -> DeliveryStatus:
        kv = await self._bucket()
        try:
            entry = await kv.get(self._key(subscription))
        except KeyNotFoundError:
            return DeliveryStatus()
        return DeliveryStatus.model_validate_json(entry.value or b"{}")

    async def put(self, subscription: str, status: DeliveryStatus) -> None:
        kv = await self._bucket()
        await kv.put(self._key(subscription), status.model_dump_json().encode())
