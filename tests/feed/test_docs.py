"""The feed's settings and metrics are documented for ops (as tests/deploy checks for the platform's)."""

from __future__ import annotations

import re

from shared.feed.config import FeedSubscription
from shared.settings import REPO_ROOT, ServiceSettings


def test_operations_doc_names_the_feed_settings_and_metrics() -> None:
    ops = (REPO_ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    feed = (REPO_ROOT / "docs" / "FEED.md").read_text(encoding="utf-8")
    assert "feed_subscriptions" in ServiceSettings.model_fields
    assert "<SERVICE>_FEED_SUBSCRIPTIONS" in ops
    source = (REPO_ROOT / "shared" / "feed" / "metrics.py").read_text(encoding="utf-8")
    metrics = re.findall(r"(?:Counter|Gauge|Histogram)\(\s*\"(\w+)\"", source)
    assert len(metrics) == 3
    for metric in metrics:
        assert metric in ops, metric
    for field in FeedSubscription.model_fields:
        assert f"`{field}`" in feed, field
