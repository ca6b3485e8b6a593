"""Events: CloudEvents envelope, transactional outbox, relay, streams and idempotent consumers."""

from shared.events.envelope import CloudEvent
from shared.events.outbox import add_event, add_events

__all__ = ["CloudEvent", "add_event", "add_events"]
