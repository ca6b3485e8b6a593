"""Finding a request's route: the routers that cannot match are skipped, and nothing else changes."""

from __future__ import annotations

import importlib
import itertools
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match

from shared import app as shared_app
from tests.support import settings_for

SERVICES = ("registry", "funds", "pairing", "inspection")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
SAMPLES = ("440783000000", "2018", str(uuid.UUID(int=7)), "x")


def _app(service: str) -> FastAPI:
    module = importlib.import_module(f"services.{service}.app")
    return module.create_app(settings_for(module.settings_class, "postgresql+asyncpg://u@127.0.0.1:1/none"))


def _paths(app: FastAPI) -> set[str]:
    """Every route's path with sample values, and near misses of each (one segment more or less,
    a trailing slash, another service's root)."""
    templates = {getattr(r, "path_format", None) for r in app.router.routes}
    for route in app.router.routes:
        if hasattr(route, "effective_route_contexts"):
            templates |= {
                getattr(c.starlette_route, "path_format", None) or c.path_format
                for c in route.effective_route_contexts()
            }
    paths = {"/", "", "/nope", "/docs/assets/swagger-ui.css", "/registry/v1/", "/funds/v1"}
    for template in filter(None, templates):
        parts = template.split("/")
        for values in itertools.product(SAMPLES, repeat=min(2, template.count("{"))):
            filled = (
                [values[min(i, len(values) - 1)] if p.startswith("{") else p for i, p in enumerate(parts)]
                if values
                else parts
            )
            path = "/".join(filled)
            paths |= {path, path + "/", path + "/extra", path.rsplit("/", 1)[0], path.upper()}
    return paths


def _outcomes(routes: list[BaseRoute], scope: dict[str, Any], *, plain: bool) -> list[tuple[Match, Any]]:
    found = []
    for route in routes:
        matches = route.matches
        if plain:
            matches = getattr(matches, "matches", matches)  # the guard's own, unguarded
        found.append(matches(dict(scope)))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_path_meets_the_same_routes_as_without_the_guard(service: str) -> None:
    app = _app(service)
    guarded = [r for r in app.router.routes if type(r.matches).__name__ == "_PrefixGuard"]
    assert len(guarded) >= 5  # the service's routers, health, the feed
    paths = _paths(app)
    assert len(paths) > 100
    for path, method, root in itertools.product(sorted(paths), METHODS, ("", "/gateway")):
        scope = {
            "type": "http",
            "method": method,
            "path": root + path,
            "root_path": root,
            "headers": [],
            "query_string": b"",
            "app": app,
        }
        assert _outcomes(app.router.routes, scope, plain=False) == _outcomes(
            app.router.routes, scope, plain=True
        ), (method, root + path)


def test_a_route_added_after_assembly_is_found() -> None:
    app = _app("registry")
    health = next(
        r
        for r in app.router.routes
        if getattr(r, "original_router", None) is not None
        and any(getattr(x, "path", "") == "/health/live" for x in r.original_router.routes)
    )
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/late",
        "root_path": "",
        "headers": [],
        "query_string": b"",
        "app": app,
    }
    assert health.matches(dict(scope))[0] == Match.NONE

    async def late() -> dict[str, str]:
        return {}

    health.original_router.add_api_route("/late", late, methods=["GET"])  # this app's own router
    assert health.matches(dict(scope))[0] == Match.FULL


def test_without_the_internals_it_reads_the_app_keeps_the_plain_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A FastAPI release that moves what the guard reads must not stop the service: no guard, the
    same routes found."""

    def moved(self: Any) -> None:
        raise AttributeError("_routes_version")

    monkeypatch.setattr(shared_app._PrefixGuard, "_refresh", moved)
    app = _app("registry")
    assert not any(isinstance(r.matches, shared_app._PrefixGuard) for r in app.router.routes)
    scope = {"type": "http", "method": "GET", "path": f"/registry/v1/households/{uuid.UUID(int=7)}"}
    scope |= {"root_path": "", "headers": []}
    assert any(r.matches(scope)[0] is Match.FULL for r in app.router.routes)


@pytest.mark.asyncio
async def test_the_router_a_request_matched_is_walked_once_with_the_same_answers() -> None:
    """FastAPI walks an included router to match a request and again to handle it: the second
    walk takes the first one's answer (shared.app._MatchOnce), and every answer stays the same."""
    app = _app("registry")
    health = next(
        r
        for r in app.router.routes
        if getattr(r, "original_router", None) is not None
        and any(getattr(x, "path", "") == "/health/live" for x in r.original_router.routes)
    )
    once = health._match
    assert isinstance(once, shared_app._MatchOnce)
    walked: list[str] = []

    def counted(scope: dict[str, Any]) -> Any:
        walked.append(scope["path"])
        return plain(scope)

    plain = once.match
    once.match = counted
    requests = [("GET", "/health/live"), ("POST", "/health/live"), ("GET", "/health/live/")]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

        async def answers() -> list[tuple[int, bytes]]:
            return [((r := await client.request(m, p)).status_code, r.content) for m, p in requests]

        assert (await client.get("/health/live")).status_code == 200
        assert walked == ["/health/live"]  # matched and handled on one walk
        first = await answers()
        assert [s for s, _ in first] == [200, 405, 307]  # found, wrong method, the slash redirect
        health._match = plain  # FastAPI's own walk, twice a request
        assert await answers() == first
