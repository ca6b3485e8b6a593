"""JetStream provisioning: one stream per producing service, plus the dead-letter stream; file storage."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

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


async def ensure_stream(js: JetStreamContext, name: str, *, replicas: int = 1) -> None:
    config = StreamConfig(
        name=name,
        subjects=[_SUBJECTS[name]],
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
