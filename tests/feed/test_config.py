"""Subscription settings and the signature scheme, without servers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import ValidationError

from shared.feed.config import InvalidSubjectFilter, check_subject_filter
from shared.feed.delivery import FeedDelivery
from shared.feed.signing import sign, verify
from shared.settings import ServiceSettings
from tests.feed.support import jetstream_getter

GOOD: dict[str, Any] = {
    "name": "gd-bigdata",
    "url": "https://user:pw@bigdata.gd.example/hook?token=x",
    "secret": "0123456789abcdef",
    "subjects": "registry.household.>",
}


def test_subscriptions_come_from_a_json_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGZHUN_FEED_SUBSCRIPTIONS", '[{"name": "gd", "url": "http://h/x", '
                       '"secret": "0123456789abcdef", "subjects": "registry.>", "area_prefix": "4407"}]')
    (sub,) = ServiceSettings().feed_subscriptions
    assert (sub.name, sub.area_prefix, sub.batch_size, sub.durable) == ("gd", "4407", 100, "feed-gd")
    assert "0123456789abcdef" not in repr(sub)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "GD Big Data"},
        {"secret": "short"},
        {"area_prefix": "44a7"},
        {"area_prefix": "4407830000001"},
        {"subjects": "registry"},
        {"subjects": "registry.>.x"},
        {"batch_size": 0},
        {"url": "ftp://h/x"},
        {"unknown": 1},
    ],
)
def test_bad_subscriptions_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(feed_subscriptions=[{**GOOD, **bad}])


def test_a_filter_outside_the_service_stream_fails_at_start_up() -> None:
    (sub,) = ServiceSettings(feed_subscriptions=[{**GOOD, "subjects": "funds.>"}]).feed_subscriptions
    with pytest.raises(InvalidSubjectFilter):
        FeedDelivery(sub, service="registry", jetstream=jetstream_getter(None))  # type: ignore[arg-type]


def test_subject_filters() -> None:
    good = ("registry.>", "registry.household.>", "registry.*.upserted.v1", "registry.household.exited.v1")
    for ok in good:
        assert check_subject_filter("registry", ok) == ok
    for bad in ("funds.>", "registry", "registry.>.v1", "registry..x", "registry.a b", "registry.*x"):
        with pytest.raises(InvalidSubjectFilter):
            check_subject_filter("registry", bad)


def test_signature_covers_timestamp_and_body() -> None:
    now = int(time.time())
    body = b'[{"id":"1"}]'
    signature = sign("0123456789abcdef", now, body)
    assert signature.startswith("sha256=")
    assert verify("0123456789abcdef", str(now), body, signature)
    assert not verify("0123456789abcdef", str(now), body + b" ", signature)  # body changed
    assert not verify("0123456789abcdef", str(now + 1), body, signature)  # timestamp changed
    assert not verify("another-secret-000", str(now), body, signature)
    old = now - 3600
    assert not verify("0123456789abcdef", str(old), body, sign("0123456789abcdef", old, body))  # replay
