"""Rate limits: in-process token buckets per client, answered 429 problem+json with Retry-After.

Two limits, both settings (``ServiceSettings.rate_limit_*``):

- ``public``: routes that answer without a login (notice boards, disclosures, public roll-ups),
  per client IP address (``request.client.host``; behind the gateway run uvicorn with
  ``--proxy-headers --forwarded-allow-ips=<gateway>`` so that is the caller's address, not the
  gateway's);
- ``search``: search-style reads by a logged-in client, per token subject (``sub``).

A bucket holds ``burst`` requests and refills at ``per_minute``/60 a second; a request that finds it
empty is refused with the seconds until the next token as ``Retry-After``. The buckets live in the
process: with N replicas the effective limit is N times the setting unless the gateway limits too
(deploy/gateway/nginx.conf, docs/OPERATIONS.md). At most ``max_clients`` buckets are kept; the
least recently used is dropped first (a dropped client starts again with a full bucket).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from fastapi import Depends, Request

from shared.auth import CurrentUser
from shared.errors import DomainError, Problem

__all__ = [
    "PUBLIC_RATE_LIMIT",
    "RATE_LIMITED_RESPONSES",
    "SEARCH_RATE_LIMIT",
    "RateLimitExceeded",
    "TokenBuckets",
    "rate_limits",
]

Scope = Literal["public", "search"]


class RateLimitExceeded(DomainError):
    status = 429
    type_slug = "rate-limited"
    title = "Too many requests"
    title_zh = "请求过于频繁"
    hint_zh = "请按 Retry-After 所示的秒数稍后再试"
    hint_en = "Wait the seconds given in Retry-After, then try again"
    retry_after_s: int

    def __init__(self, detail: str, *, retry_after_s: int, detail_zh: str | None = None, **ext: Any) -> None:
        super().__init__(detail, detail_zh=detail_zh, retry_after_s=retry_after_s, **ext)
        self.retry_after_s = retry_after_s

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """One token bucket per key. ``take`` answers 0 when the request may go, else the seconds to
    wait (at least 1) until it could."""

    DEFAULT_MAX_CLIENTS: ClassVar[int] = 100_000

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_clients: int = DEFAULT_MAX_CLIENTS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("a rate limit needs per_minute >= 1 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_clients = max_clients
        self._now = monotonic
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> int:
        now = self._now()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), at=now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        self._buckets[key] = bucket  # most recently used last
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))


def rate_limits(per_scope: dict[Scope, tuple[int, int]]) -> dict[Scope, TokenBuckets | None]:
    """Buckets per scope from (per_minute, burst); a per_minute of 0 turns the limit off."""
    return {
        scope: TokenBuckets(per_minute=rate, burst=burst) if rate > 0 else None
        for scope, (rate, burst) in per_scope.items()
    }


def _check(request: Request, scope: Scope, key: str) -> None:
    limits: dict[Scope, TokenBuckets | None] = getattr(request.app.state, "rate_limits", {})
    buckets = limits.get(scope)
    if buckets is None:
        return
    wait = buckets.take(key)
    if wait:
        raise RateLimitExceeded(
            f"Too many requests from this client; try again in {wait} s",
            detail_zh=f"请求过于频繁，请 {wait} 秒后再试",
            retry_after_s=wait,
        )


async def _public(request: Request) -> None:
    _check(request, "public", request.client.host if request.client else "unknown")


async def _search(request: Request, user: CurrentUser) -> None:
    _check(request, "search", user.sub)


# On a route: ``@router.get(..., dependencies=[PUBLIC_RATE_LIMIT], responses=RATE_LIMITED_RESPONSES)``.
PUBLIC_RATE_LIMIT = Depends(_public)
SEARCH_RATE_LIMIT = Depends(_search)
RATE_LIMITED_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Problem,
        "description": "Too many requests from this client (type rate-limited); wait Retry-After seconds",
        "headers": {
            "Retry-After": {
                "description": "seconds to wait before the next request",
                "schema": {"type": "integer"},
            }
        },
    }
}
