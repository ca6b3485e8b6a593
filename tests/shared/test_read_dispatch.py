"""The hot reads' routes looked up before the walk (shared/read_dispatch.py): for every path and
method, the route app reached and the scope it is given are the walk's own."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as DriverUUID
from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared.read_dispatch import ReadDispatch
from tests.shared.test_route_dispatch import METHODS, SERVICES, _app, _paths

_MATCHED = "jingzhun.included_match"  # shared.app._MatchOnce's memo of the walk: the walk's alone


class _Reached(Exception):
    """The route app a request reached, with the scope it was given (nothing else runs)."""

    def __init__(self, context: Any, scope: dict[str, Any]) -> None:
        self.context = context
        self.scope = {k: v for k, v in scope.items() if k != _MATCHED}
        self.scope["fastapi"] = dict(scope.get("fastapi", {}))


def _record_route_apps(app: FastAPI) -> None:
    """Every included route's app (FastAPI's route context) stops the request where it arrives."""
    for entry in app.router.routes:
        for context in getattr(entry, "effective_route_contexts", list)():
            if isinstance(context.original_route, APIRoute):

                async def reached(scope: Any, _receive: Any, _send: Any, context: Any = context) -> None:
                    raise _Reached(context, scope)

                context.app = reached


async def _outcome(asgi: Any, scope: dict[str, Any]) -> tuple[Any, ...]:
    sent: list[Any] = []
    messages = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict[str, Any]:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: Any) -> None:
        sent.append({k: v for k, v in message.items() if k != "body"} | {"body": message.get("body")})

    try:
        await asgi(scope, receive, send)
    except _Reached as reached:
        return ("route", reached.context, reached.scope)
    except Exception as error:  # a 404/405 raised for the exception handlers, as the walk raises it
        return ("raised", type(error), getattr(error, "status_code", None), getattr(error, "headers", None))
    return ("sent", sent)


def _scope(app: FastAPI, method: str, path: str, root: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": root + path,
        "raw_path": (root + path).encode(),
        "root_path": root,
        "headers": [],
        "query_string": b"",
        "app": app,
        "state": {},
    }


def _dispatch(app: FastAPI) -> ReadDispatch:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, ReadDispatch)
    return dispatch


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.asyncio
async def test_every_request_reaches_the_same_route_with_the_same_scope(service: str) -> None:
    app = _app(service)
    dispatch = _dispatch(app)
    _record_route_apps(app)
    card = f"/registry/v1/households/{uuid.UUID(int=7)}"
    paths = _paths(app) | {card, card.upper(), card + "x", "/registry/v1/rollups/440783000000"}
    fast = 0
    for path, method, root in itertools.product(sorted(paths), METHODS, ("", "/gateway")):
        walked = await _outcome(dispatch.fallback, _scope(app, method, path, root))
        found = await _outcome(dispatch, _scope(app, method, path, root))
        assert found == walked, (method, root + path)
        fast += found[0] == "route" and any(
            h.context is found[1] for hots in dispatch.by_method.values() for h in hots
        )
    if service == "registry":
        assert fast > 0


def test_the_hot_reads_are_looked_up() -> None:
    """The card, the roll-up and the list page: none is shadowed by a route before it."""
    paths = {h.context.path_format for hots in _dispatch(_app("registry")).by_method.values() for h in hots}
    assert {
        "/registry/v1/households",
        "/registry/v1/households/{household_id}",
        "/registry/v1/rollups/{area_code}",
    } <= paths


@pytest.mark.asyncio
async def test_a_route_added_later_is_found_by_the_walk() -> None:
    """A route added after the app was built may come first: from then on every request walks."""
    app = _app("registry")
    dispatch = _dispatch(app)
    _record_route_apps(app)
    # the health router: built for each app (the services' routers are shared by every app built)
    health = next(
        r.original_router
        for r in app.router.routes
        if hasattr(r, "original_router")
        and any(getattr(x, "path", "") == "/health/live" for x in r.original_router.routes)
    )
    scope = _scope(app, "GET", f"/registry/v1/households/{uuid.UUID(int=7)}", "")
    assert (await _outcome(dispatch, dict(scope)))[0] == "route"
    assert not dispatch.routes_changed()

    async def late() -> dict[str, str]:
        return {}

    health.add_api_route("/registry/v1/households/{anything}", late, methods=["GET"])
    assert dispatch.routes_changed()
    _record_route_apps(app)
    found = await _outcome(dispatch, dict(scope))
    assert found == await _outcome(dispatch.fallback, dict(scope))
    assert found[1].endpoint is late


@pytest.mark.asyncio
async def test_a_household_id_reaches_the_card_as_the_database_drivers_uuid() -> None:
    """The card's id segment, in every form Starlette's pattern takes (dashes or none, any case), is
    read to the value ``uuid.UUID`` reads, as asyncpg's UUID: a ``uuid.UUID`` made in C (Python's
    parsing was a hundredth of a card read), which the driver sends as it is."""
    app = _app("registry")
    _record_route_apps(app)
    household = uuid.UUID("6f1c8c1e-2b7a-4c43-9b9e-0a3f8f1d2c11")
    mixed = "6f1c8c1e2b7a-4c43-9b9e0a3f8f1d2c11"  # some dashes only: the pattern's dashes are optional
    for segment in (str(household), household.hex, str(household).upper(), mixed):
        found = await _outcome(_dispatch(app), _scope(app, "GET", f"/registry/v1/households/{segment}", ""))
        given = found[2]["path_params"]["household_id"]
        assert isinstance(given, DriverUUID)
        assert isinstance(given, uuid.UUID)
        assert given == household
        assert str(given) == str(household)
