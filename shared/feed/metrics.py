"""Push-feed metrics (documented in docs/OPERATIONS.md beside the platform's own)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

__all__ = ["FEED_DELIVERED", "FEED_FAILURES", "FEED_PENDING"]

FEED_DELIVERED = Counter(
    "jingzhun_feed_events_delivered_total",
    "Events a webhook receiver accepted (2xx)",
    ["service", "subscription"],
)
FEED_FAILURES = Counter(
    "jingzhun_feed_delivery_failures_total",
    "Webhook batches that failed (non-2xx, timeout, connection error) and will be retried",
    ["service", "subscription"],
)
FEED_PENDING = Gauge(
    "jingzhun_feed_pending",
    "Events not yet delivered to a webhook subscription (JetStream pending + awaiting ack)",
    ["service", "subscription"],
)
