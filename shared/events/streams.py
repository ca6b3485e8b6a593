"""JetStream provisioning: one stream per producing service, file storage."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

__all__ = ["STREAMS", "ensure_stream", "ensure_streams", "stream_for"]

# stream name -> subject filter. Event types are the subjects (registry.household.registered.v1).
STREAMS: dict[str, str] = {
    "REGISTRY": "registry.>",
    "FUNDS": "funds.>",
    "PAIRING": "pairing.>",
    "INSPECTION": "inspection.>",
}

# Nats-Msg-Id de-duplication window: a relay that re-sends after a crash within it is dropped.
DUPLICATE_WINDOW_S = 2 * 60 * 60


def stream_for(service: str) -> str:
    return service.upper()


async def ensure_stream(js: JetStreamContext, name: str, *, replicas: int = 1) -> None:
    config = StreamConfig(
        name=name,
        subjects=[STREAMS[name]],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW_S,
        max_age=365 * 24 * 3600,
        num_replicas=replicas,
    )
    try:
        await js.stream_info(name)
    except NotFoundError:
        try:
            await js.add_stream(config)
        except Exception:
            # Another replica created it between our look and our add: that is fine.
            await js.stream_info(name)


async def ensure_streams(js: JetStreamContext, names: list[str] | None = None, *, replicas: int = 1) -> None:
    for name in names or list(STREAMS):
        await ensure_stream(js, name, replicas=replicas)
