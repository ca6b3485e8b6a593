"""JetStream provisioning: one stream per producing service, plus the dead-letter stream; file storage.

The streams take atomic batches (``allow_atomic``, nats-server 2.12+): the outbox relay stores a
batch of events with one write to disk instead of one per event (``shared.events.relay``). A stream
made before that is switched on by its own service at start (``STREAM.UPDATE`` of its own stream only,
deploy/nats_auth.py); a server without atomic batches ignores the setting and the relay publishes
message by message.
"""

from __future__ import annotations

import dataclasses

import structlog
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

log = structlog.get_logger(__name__)

__all__ = [
    "DEADLETTER_STREAM",
    "DEADLETTER_SUBJECTS",
    "STREAMS",
    "deadletter_subject",
    "ensure_stream",
    "ensure_streams",
    "inbox_prefix",
    "stream_for",
]

# stream name -> subject filter. Event types are the subjects (registry.household.registered.v1).
STREAMS: dict[str, str] = {
    "REGISTRY": "registry.>",
    "FUNDS": "funds.>",
    "PAIRING": "pairing.>",
    "INSPECTION": "inspection.>",
}

# Events a consumer gave up on (see shared.events.deadletter): deadletter.<consumer service>.<subject>.
# Not in STREAMS: nothing produces domain events there, and ensure_streams() leaves it alone.
DEADLETTER_STREAM = "DEADLETTER"
DEADLETTER_SUBJECTS = "deadletter.>"
_SUBJECTS = {**STREAMS, DEADLETTER_STREAM: DEADLETTER_SUBJECTS}

# Nats-Msg-Id de-duplication window: a relay that re-sends after a crash within it is dropped.
DUPLICATE_WINDOW_S = 2 * 60 * 60


def inbox_prefix(service: str) -> str:
    """Replies to a service's requests (JetStream acks, pulled messages) come to its own inboxes,
    which only its NATS user may subscribe to (deploy/nats_auth.py)."""
    return f"_INBOX_{service}"


def stream_for(service: str) -> str:
    return service.upper()


def deadletter_subject(service: str, original_subject: str = ">") -> str:
    """``deadletter_subject("pairing", "registry.household.registered.v1")``; alone: all of a service."""
    return f"deadletter.{service}.{original_subject}"


async def ensure_stream(js: JetStreamContext, name: str, *, replicas: int = 1, own: bool = False) -> None:
    """Create ``name`` if it is missing; ``own``: the caller's own stream (it may update it)."""
    config = StreamConfig(
        name=name,
        subjects=[_SUBJECTS[name]],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW_S,
        max_age=365 * 24 * 3600,
        num_replicas=replicas,
        allow_atomic=True,
    )
    try:
        info = await js.stream_info(name)
    except NotFoundError:
        try:
            await js.add_stream(config)
        except Exception:
            # Another replica created it between our look and our add: that is fine.
            await js.stream_info(name)
        return
    if own and not info.config.allow_atomic:
        # Made before atomic batches: switch them on (nothing else of its settings changes).
        try:
            await js.update_stream(dataclasses.replace(info.config, allow_atomic=True))
        except Exception as exc:  # the relay then publishes message by message
            log.warning("stream_atomic_batches_not_enabled", stream=name, error=repr(exc))


async def ensure_streams(js: JetStreamContext, names: list[str] | None = None, *, replicas: int = 1) -> None:
    for name in names or list(STREAMS):
        await ensure_stream(js, name, replicas=replicas, own=True)
