"""Rate limits: public routes per client address, search per token subject; 429 problem+json with
Retry-After, Chinese first."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from services.funds.app import create_app as create_funds_app
from services.funds.settings import FundsSettings
from services.registry.app import create_app as create_registry_app
from services.registry.settings import RegistrySettings
from shared.ratelimit import TokenBuckets
from tests.registry.integration.helpers import load_areas
from tests.support import auth, settings_for

VILLAGE = "440783101201"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_lets_a_burst_through_then_one_request_per_refill() -> None:
    clock = FakeMonotonic()
    buckets = TokenBuckets(per_minute=6, burst=3, monotonic=clock)  # one token every 10 s
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == 10
    assert buckets.take("b") == 0  # another client has its own bucket
    clock.now += 4
    assert buckets.take("a") == 6  # 0.4 of a token back: 6 s more
    clock.now += 6
    assert buckets.take("a") == 0
    assert buckets.take("a") == 10
    clock.now += 3600  # refills up to the burst, no further
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 10]


def test_the_least_recently_seen_client_is_forgotten_first() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, max_clients=2, monotonic=FakeMonotonic())
    assert buckets.take("a") == 0
    assert buckets.take("b") == 0
    assert buckets.take("a") == 60
    assert buckets.take("c") == 0  # b is dropped, a is kept
    assert buckets.take("a") == 60
    assert buckets.take("b") == 0  # starts again with a full bucket


@asynccontextmanager
async def _client(app: Any, address: str):  # type: ignore[no-untyped-def]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


LIMITS = {
    "rate_limit_public_per_minute": 1,
    "rate_limit_public_burst": 2,
    "rate_limit_search_per_minute": 2,
    "rate_limit_search_burst": 3,
}


@pytest.mark.asyncio
async def test_public_routes_answer_429_with_retry_after_per_client_address(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_registry_app(settings_for(RegistrySettings, make_db("registry"), **LIMITS))
    board = f"/registry/v1/public/notices?area_code={VILLAGE}"
    async with _client(app, "203.0.113.7") as visitor:
        await load_areas(visitor)  # as an admin: not a public route
        assert [(await visitor.get(board)).status_code for _ in range(2)] == [200, 200]
        r = await visitor.get(board)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "60"
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        assert body["title"] == "请求过于频繁"
        assert body["detail"] == "请求过于频繁，请 60 秒后再试"
        assert body["type"].endswith("/rate-limited")
        assert body["retry_after_s"] == 60
        r = await visitor.get(board, headers={"Accept-Language": "en"})
        assert r.status_code == 429
        assert r.json()["title"] == "Too many requests"
        # the public roll-up shares the address's bucket
        assert (await visitor.get(f"/registry/v1/public/rollups/{VILLAGE}")).status_code == 429
        # health checks are never limited
        assert (await visitor.get("/health/live")).status_code == 200
    async with _client(app, "198.51.100.20") as neighbour:  # same process, another address
        assert (await neighbour.get(board)).status_code == 200


@pytest.mark.asyncio
async def test_funds_disclosures_are_limited_per_address(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_funds_app(settings_for(FundsSettings, make_db("funds"), **LIMITS))
    async with _client(app, "203.0.113.8") as visitor:
        url = f"/funds/v1/public/disclosures?area_code={VILLAGE}"
        assert [(await visitor.get(url)).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.asyncio
async def test_search_is_limited_per_token_subject(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_registry_app(settings_for(RegistrySettings, make_db("registry"), **LIMITS))
    platform = auth("service", "440000000000", sub="gd-bigdata")
    clerk = auth("registrar", VILLAGE, sub="clerk-1")
    async with _client(app, "10.0.0.5") as c:  # both behind the same address
        search = "/registry/v1/households?status=registered"
        assert [(await c.get(search, headers=platform)).status_code for _ in range(4)] == [200, 200, 200, 429]
        r = await c.get(search, headers=platform)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "30"
        assert (await c.get(search, headers=clerk)).status_code == 200
        # no token: 401 first, and it does not use up anyone's bucket
        assert (await c.get(search)).status_code == 401
        # other reads by the same subject are not search
        assert (await c.get(f"/registry/v1/areas/{VILLAGE}", headers=platform)).status_code != 429


def test_the_429_is_documented_on_each_limited_route() -> None:
    app = create_registry_app(settings_for(RegistrySettings, "postgresql+asyncpg://x@127.0.0.1:1/x"))
    paths = app.openapi()["paths"]
    limited = (
        "/registry/v1/public/notices",
        "/registry/v1/public/rollups/{area_code}",
        "/registry/v1/households",
    )
    for path in limited:
        assert "Retry-After" in paths[path]["get"]["responses"]["429"]["headers"]
