"""The hot reads' routes found without walking the app's routes: what Starlette's walk would pick.

For every request Starlette asks each entry of the app's routes in turn whether it matches; an
included router (FastAPI keeps one entry per ``include_router``) then asks its own routes, under
the FastAPI scope bookkeeping of which inclusion and which route context is being tried, and the
chosen one is asked again to handle the request: for a household card, several route patterns,
three ``matches`` and three ``handle`` layers before the route's own app (a twentieth of its CPU).

Here each ``ReadRoute`` included directly by one of the app's routers is looked up by method and
path pattern first. Only a route that the walk could not have passed over is indexed: one that no
route before it (in the app's order, in its router and in every router before) can match for any
path of its pattern — worked out once, segment by segment, from the routes' path formats and
their convertors (a literal segment against a parameter's pattern; two parameters are taken to
overlap unless one is a UUID and the other an integer; anything else unknown: not indexed). A
request it matches with one of its methods is then handed to the route as the walk hands it: the
same scope keys set to the same values (``router``, ``endpoint``, ``path_params``, ``route`` and
FastAPI's ``fastapi`` entries of the inclusion and route context, form limits where set), the
same ASGI app called. Everything else walks as before: other paths and methods (404, 405,
redirects), telemetry on (FastAPI's route naming happens in the walk), and any route added after
the app was built (the routers' versions are compared on every request).
tests/shared/test_read_dispatch.py compares both for every route of every service.
"""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from asyncpg.pgproto.pgproto import UUID as DriverUUID
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette._utils import get_route_path
from starlette.convertors import Convertor, IntegerConvertor, PathConvertor, UUIDConvertor
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.read_route import ReadRoute

__all__ = ["ReadDispatch", "install_read_dispatch"]

_PARAM = re.compile(r"^\{([a-zA-Z_][a-zA-Z0-9_]*)\}$")
_FASTAPI = "fastapi"  # FastAPI's own entry of the scope (fastapi.routing._FASTAPI_SCOPE_KEY)
_INCLUDED = "included_router"  # its keys set when a route of an included router is chosen
_CONTEXT = "effective_route_context"
_FORM_LIMITS = "form_limits"
_ROUTES_VERSION = operator.attrgetter("_routes_version")  # what FastAPI counts a router's changes by


@dataclass(frozen=True)
class _Hot:
    """A ReadRoute as the walk finds it: its inclusion entry and its route context (FastAPI's)."""

    regex: re.Pattern[str]
    convertors: dict[str, Convertor[Any]]
    entry: Any  # fastapi.routing._IncludedRouter
    context: Any  # fastapi.routing._EffectiveRouteContext
    route: APIRoute


def _segments(path_format: str, convertors: dict[str, Convertor[Any]]) -> list[str | Convertor[Any]] | None:
    """A path format's segments: literal text or a whole-segment parameter's convertor; None when a
    segment mixes text and a parameter (not analysed here)."""
    found: list[str | Convertor[Any]] = []
    for part in path_format.split("/"):
        whole = _PARAM.match(part)
        if whole is not None and whole.group(1) in convertors:
            found.append(convertors[whole.group(1)])
        elif "{" in part or "}" in part:
            return None
        else:
            found.append(part)
    return found


def _takes(convertor: Convertor[Any], literal: str) -> bool:
    return re.fullmatch(convertor.regex, literal) is not None


def _disjoint(a: Convertor[Any], b: Convertor[Any]) -> bool:
    """Two parameters no one segment can satisfy both of (a UUID has dashes, an integer none)."""
    kinds = {type(a), type(b)}
    return kinds == {UUIDConvertor, IntegerConvertor}


def _may_overlap(hot: list[str | Convertor[Any]], other: list[str | Convertor[Any]] | None) -> bool:
    """Whether some path of the ``hot`` pattern may match ``other`` (None: unknown, so it may)."""
    if other is None:
        return True
    for i, theirs in enumerate(other):
        if isinstance(theirs, PathConvertor):
            return True  # the rest of any path, from here on
        if i >= len(hot):
            return False
        ours = hot[i]
        if isinstance(ours, str) and isinstance(theirs, str):
            if ours != theirs:
                return False
        elif isinstance(ours, str):
            assert not isinstance(theirs, str)
            if not _takes(theirs, ours):
                return False
        elif isinstance(theirs, str):
            if not _takes(ours, theirs):
                return False
        elif _disjoint(ours, theirs):
            return False
    return len(other) == len(hot)


def _pattern_of(route: Any) -> list[str | Convertor[Any]] | None:
    """The segments of what a route (an app entry or an inclusion's route context) matches."""
    starlette_route = getattr(route, "starlette_route", None)
    if starlette_route is not None:
        route = starlette_route
    if isinstance(route, Mount):
        return _segments(route.path_format, route.param_convertors)
    if isinstance(route, APIRoute | Route):
        return _segments(route.path_format, route.param_convertors)
    original = getattr(route, "original_route", None)
    if isinstance(original, APIRoute):  # a route context of an included APIRoute
        return _segments(route.path_format, route.param_convertors)
    return None


def _leaves(candidates: Iterable[Any]) -> Iterator[Any]:
    """Every route the walk may try among an inclusion's candidates (nested inclusions opened)."""
    for candidate in candidates:
        nested = getattr(candidate, "effective_route_contexts", None)
        if nested is not None:
            yield from nested()
        else:
            yield candidate


def _routers(router: APIRouter) -> Iterator[APIRouter]:
    yield router
    for route in router.routes:
        included = getattr(route, "original_router", None)
        if isinstance(included, APIRouter):
            yield from _routers(included)


def _methods_of(route: Any) -> frozenset[str] | None:
    """The methods a route matches FULL for; None: any (a mount, a route of an unknown kind)."""
    if isinstance(route, Mount) or isinstance(getattr(route, "starlette_route", None), Mount):
        return None
    methods = getattr(route, "methods", None)
    return frozenset(methods) if methods else None


_Earlier = tuple[list[str | Convertor[Any]] | None, frozenset[str] | None]


def _shadows(earlier: _Earlier, pattern: list[str | Convertor[Any]], methods: frozenset[str]) -> bool:
    """Whether a route before may answer FULL for a request of ``pattern`` with one of ``methods``
    (one with other methods only answers PARTIAL, and the walk goes on to a FULL match)."""
    other, their_methods = earlier
    if their_methods is not None and not their_methods & methods:
        return False
    return _may_overlap(pattern, other)


class _DriverUUIDConvertor(UUIDConvertor):
    """A UUID segment as asyncpg's UUID: a ``uuid.UUID`` (equal, same hash and text, what the
    database driver sends as it is) made in C, where ``uuid.UUID``'s parsing in Python was a
    hundredth of a card read's CPU. The segment is the one Starlette's pattern matched (hex digits
    and dashes), read to the same value."""

    def convert(self, value: str) -> uuid.UUID:
        parsed: uuid.UUID = DriverUUID(value)
        return parsed


def _faster(convertor: Convertor[Any]) -> Convertor[Any]:
    return _DriverUUIDConvertor() if type(convertor) is UUIDConvertor else convertor


def _hot_routes(app: FastAPI) -> list[_Hot]:
    """The ReadRoutes the walk could not pass over, in the walk's order."""
    hot: list[_Hot] = []
    earlier: list[_Earlier] = []  # every route before: its segments and methods
    for entry in app.router.routes:
        candidates = getattr(entry, "effective_candidates", None)
        if candidates is None:
            earlier.append((_pattern_of(entry), _methods_of(entry)))
            continue
        for candidate in candidates():
            if getattr(candidate, "effective_candidates", None) is not None:  # a nested inclusion
                earlier.extend((_pattern_of(leaf), _methods_of(leaf)) for leaf in _leaves([candidate]))
                continue
            route = getattr(candidate, "original_route", None)
            pattern = _pattern_of(candidate)
            methods = _methods_of(candidate)
            if (
                isinstance(route, ReadRoute)
                and candidate.starlette_route is None
                and pattern is not None
                and methods is not None
                and candidate.app is not None
                and not any(_shadows(before, pattern, methods) for before in earlier)
            ):
                convertors = {k: _faster(c) for k, c in candidate.param_convertors.items()}
                hot.append(_Hot(candidate.path_regex, convertors, entry, candidate, route))
            earlier.append((pattern, methods))
    return hot


class ReadDispatch:
    """The app's router's ASGI app: an indexed ReadRoute handed its request as the walk would
    hand it, anything else to the walk (``fallback``)."""

    def __init__(self, app: FastAPI, fallback: ASGIApp) -> None:
        self.router = app.router
        self.fallback = fallback
        self.by_method: dict[str, list[_Hot]] = {}
        for found in _hot_routes(app):
            for method in found.context.methods or ():
                self.by_method.setdefault(method, []).append(found)
        # routes added later (their router's version goes up) may come first: the walk again
        self._routers = list(_routers(app.router))
        self._versions = [r._routes_version for r in self._routers]

    def routes_changed(self) -> bool:
        # each router's version read in C (a generator over the twenty of a service was a microsecond)
        return list(map(_ROUTES_VERSION, self._routers)) != self._versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("fastapi.telemetry") is None:
            candidates = self.by_method.get(scope["method"])
            if candidates is not None:
                path = get_route_path(scope)
                for hot in candidates:
                    match = hot.regex.match(path)
                    if match is not None and not self.routes_changed():
                        await self._handle(hot, match, scope, receive, send)
                        return
        await self.fallback(scope, receive, send)

    async def _handle(
        self, hot: _Hot, match: re.Match[str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        # What the walk leaves in the scope: APIRouter.app, then the inclusion's handle and
        # _handle_selected, then the route's matches and handle (fastapi/routing.py).
        fastapi_scope = scope.setdefault(_FASTAPI, {})
        _form_limits(fastapi_scope, self.router.form_limits)
        if "router" not in scope:
            scope["router"] = self.router
        _form_limits(fastapi_scope, hot.entry.include_context.form_limits)
        fastapi_scope[_INCLUDED] = hot.entry
        path_params = dict(scope.get("path_params", {}))
        for key, value in match.groupdict().items():
            path_params[key] = hot.convertors[key].convert(value)
        scope["endpoint"] = hot.context.endpoint
        scope["path_params"] = path_params
        scope["route"] = hot.route
        fastapi_scope[_CONTEXT] = hot.context
        await hot.context.app(scope, receive, send)


def _form_limits(fastapi_scope: dict[str, Any], limits: Any) -> None:
    """fastapi.routing._apply_router_form_limits, for an HTTP request."""
    if limits:
        inherited = fastapi_scope.get(_FORM_LIMITS, {})
        fastapi_scope[_FORM_LIMITS] = {**inherited, **limits}


def install_read_dispatch(app: FastAPI) -> ReadDispatch:
    """Put the lookup in front of the app's route walk (once the app's routes are all added)."""
    dispatch = ReadDispatch(app, app.router.middleware_stack)
    app.router.middleware_stack = dispatch
    return dispatch
