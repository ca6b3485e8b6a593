"""Test helpers shared by every suite: tokens, settings, an app client, polling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from shared.devtokens import generate_key_pair, issue_token
from shared.settings import ServiceSettings

__all__ = [
    "TEST_PRIVATE_KEY",
    "TEST_PUBLIC_KEY",
    "auth",
    "service_client",
    "settings_for",
    "token",
    "wait_for",
]

# One key pair per test process: tokens are signed with it, services verify with it.
TEST_PRIVATE_KEY, TEST_PUBLIC_KEY = generate_key_pair()

S = TypeVar("S", bound=ServiceSettings)


def token(
    roles: list[str] | str, area: str, *, sub: str = "tester", name: str | None = None, ttl_s: int = 3600
) -> str:
    """The Authorization header value for a caller with these roles in this area."""
    role_list = [roles] if isinstance(roles, str) else roles
    raw = issue_token(
        sub=sub, roles=role_list, area=area, name=name, ttl_s=ttl_s, private_key_pem=TEST_PRIVATE_KEY
    )
    return f"Bearer {raw}"


def auth(roles: list[str] | str, area: str, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": token(roles, area, **kwargs)}


def settings_for(cls: type[S], database_url: str, nats_url: str | None = None, **overrides: Any) -> S:
    """Settings for an app under test. Without ``nats_url`` the relay and consumers stay off."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_public_key_pem": TEST_PUBLIC_KEY,
        "run_relay": nats_url is not None,
        "run_consumers": nats_url is not None,
        "run_jobs": False,
        "log_json": False,
        "log_level": "WARNING",
        # off unless a test turns them on (tests/shared/test_rate_limits.py): a suite's many requests
        # from one address or subject are not a client to slow down
        "rate_limit_public_per_minute": 0,
        "rate_limit_search_per_minute": 0,
    }
    if nats_url is not None:
        values["nats_url"] = nats_url
    values.update(overrides)
    return cls(**values)


@asynccontextmanager
async def service_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (db, relay, consumers) and give an HTTP client bound to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


T = TypeVar("T")


async def wait_for(
    probe: Callable[[], Awaitable[T]], *, timeout_s: float = 15.0, interval_s: float = 0.1, what: str = ""
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or probe}; last value {last!r}")
