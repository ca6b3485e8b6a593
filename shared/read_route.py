"""The hottest reads (a household card, a roll-up) without FastAPI's per-request dependency solving.

For every request FastAPI's handler walks the route's dependency tree anew: it builds a
``Response`` for dependencies to set headers on, parses the query string, the headers and the
cookies for parameters the route does not have, works out each dependency's cache key and kind,
and looks up every parameter's aliases and defaults again — about a fifth of a card read's CPU
(three times the work of the route's own parameters). A route built with
``route_class_override=ReadRoute`` works that out once, when the route is built, for what a plain
read takes: path and query values, async dependencies that take only the request and other such
dependencies (``CurrentUser``, ``require_roles(...)``), the ``Request``. Each request then
validates its values with the route's own pydantic fields, calls the dependencies in FastAPI's
order with FastAPI's per-request cache, and calls the endpoint, which answers a ``Response``.

Only requests FastAPI would accept take that path. A value the fields refuse (a malformed area
code, ``?year=1999``), a missing required one, dependency overrides (tests), tracing on (FastAPI's
spans) — the request goes to FastAPI's own handler, which answers exactly as before (same
problem+json, same order of checks). A route with anything else (a body, headers, cookies, a
dependency with ``yield`` or sync, security scopes, ``Response``/``BackgroundTasks`` parameters)
has no plan and is FastAPI's handler alone. tests/shared/test_read_route.py holds the two side by
side for every route built with it.

The plan is made from the route's own dependencies: a router holding such routes is included
without ``dependencies=`` of its own (the app's routers are; the same test checks it).
"""

from __future__ import annotations

import copy
import inspect
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.telemetry import get_telemetry_data

from shared import tracing

__all__ = ["ReadRoute", "add_read_route", "plan_of"]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class _Refused(Exception):
    """A value the fast path does not take: FastAPI's handler answers the request."""


@dataclass(frozen=True)
class _Value:
    """A path or query parameter: its field (FastAPI's, validated as FastAPI validates it)."""

    name: str
    alias: str
    field: Any  # fastapi._compat.ModelField
    loc: tuple[str, str]
    required: bool
    constant_default: bool  # a default that needs no copy nor validation (FastAPI deep-copies it)
    # a default factory that takes no validated data: called as pydantic's get_default() calls it
    # (whether it takes data was worked out once here, where pydantic reads its signature per call)
    factory: Callable[[], Any] | None = None


@dataclass(frozen=True)
class _Plan:
    """What a dependant takes, worked out once."""

    call: Callable[..., Any]
    name: str | None
    use_cache: bool
    dependencies: tuple[_Plan, ...]
    path: tuple[_Value, ...]
    query: tuple[_Value, ...]
    request_param: str | None


_IMMUTABLE = (int, str, bool, float, bytes, type(None))
_NONE: Mapping[str, Any] = MappingProxyType({})
_SCALARS = frozenset({str, int, float, bool, uuid.UUID, date, datetime})


def _value(field: Any, where: str) -> _Value | None:
    info = field.field_info
    # one plain name, one plain value (FastAPI's other cases: aliases, lists, parameter models)
    if field.alias != field.name or getattr(info, "validation_alias", None) is not None:
        return None
    if not _is_scalar(info.annotation):
        return None
    required = info.is_required()
    constant = (
        not required
        and info.default_factory is None
        and isinstance(info.default, _IMMUTABLE)
        and not info.validate_default
    )
    factory = info.default_factory
    if factory is not None and info.default_factory_takes_validated_data:
        factory = None  # get_default() would need the validated data: left to it
    return _Value(field.name, field.alias, field, (where, field.alias), required, constant, factory)


def _is_scalar(annotation: Any) -> bool:
    """One value of a plain type, or None (``X | None``): what FastAPI reads with ``.get()``
    (a list is read with ``getlist``, a model as a parameter model: FastAPI's own)."""
    if get_origin(annotation) is Annotated:
        # a constrained scalar inside ``X | None`` (shared.fields.AreaCodeText | None): read as
        # its type is, its constraints checked by the field's own validation
        return _is_scalar(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return all(a is type(None) or _is_scalar(a) for a in get_args(annotation))
    return annotation in _SCALARS or (isinstance(annotation, type) and issubclass(annotation, Enum))


def _is_async(call: Callable[..., Any]) -> bool:
    if inspect.isfunction(call) or inspect.ismethod(call):
        return inspect.iscoroutinefunction(call)
    dunder = getattr(type(call), "__call__", None)  # noqa: B004 - an instance with async __call__
    return dunder is not None and inspect.iscoroutinefunction(dunder)


def plan_of(dependant: Dependant, *, endpoint: bool = True) -> _Plan | None:
    """The plan of a route's dependant (``endpoint``) or of one of its dependencies, or None when
    it takes anything beyond a plain read's."""
    call = dependant.call
    if (
        call is None
        or not _is_async(call)
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or dependant.parent_oauth_scopes
        # a dependency's scope makes its cache key (FastAPI's); the endpoint's own says nothing
        or (dependant.scope is not None and not endpoint)
    ):
        return None
    subs = []
    for sub in dependant.dependencies:
        if sub.path_params or sub.query_params:  # a dependency's own parameters: FastAPI's
            return None
        planned = plan_of(sub, endpoint=False)
        if planned is None:
            return None
        subs.append(planned)
    path = [_value(f, "path") for f in dependant.path_params]
    query = [_value(f, "query") for f in dependant.query_params]
    if None in path or None in query:
        return None
    return _Plan(
        call=call,
        name=dependant.name,
        use_cache=dependant.use_cache,
        dependencies=tuple(subs),
        path=tuple(v for v in path if v is not None),
        query=tuple(v for v in query if v is not None),
        request_param=dependant.request_param_name,
    )


def _validated(values: tuple[_Value, ...], given: Mapping[str, Any], into: dict[str, Any]) -> None:
    """The values as FastAPI's ``request_params_to_args`` makes them; _Refused where it would
    report an error (FastAPI then reports it)."""
    for v in values:
        raw = given.get(v.alias)
        if raw is None:
            if v.required:
                raise _Refused
            if v.constant_default:
                into[v.name] = v.field.field_info.default
                continue
            if v.factory is not None:
                default = v.factory()
                if not isinstance(default, _IMMUTABLE):  # deepcopy gives an immutable value back as is
                    default = copy.deepcopy(default)
            else:
                default = copy.deepcopy(v.field.get_default())
            if not v.field.field_info.validate_default:
                into[v.name] = default
                continue
            raw = default
        value, errors = v.field.validate(raw, into, loc=v.loc)
        if errors:
            raise _Refused
        into[v.name] = value


async def _solve(plan: _Plan, request: Request, cache: dict[Any, Any]) -> dict[str, Any]:
    """The keyword arguments of ``plan.call``: dependencies first, in order, each called once a
    request (FastAPI's cache: same callable, same value), then the request."""
    values: dict[str, Any] = {}
    for sub in plan.dependencies:
        if sub.use_cache and sub.call in cache:
            solved = cache[sub.call]
        else:
            solved = await sub.call(**await _solve(sub, request, cache))
            cache.setdefault(sub.call, solved)
        if sub.name is not None:
            values[sub.name] = solved
    if plan.request_param is not None:
        values[plan.request_param] = request
    return values


class ReadRoute(APIRoute):
    """An APIRoute whose accepted requests skip FastAPI's dependency solving (see the module)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        plan = plan_of(self.dependant)
        if plan is None:
            return handler
        endpoint = plan.call

        async def read_handler(request: Request) -> Response:
            if tracing.enabled() or request.app.dependency_overrides or get_telemetry_data() is not None:
                return await handler(request)
            params: dict[str, Any] = {}
            try:
                # the parameters first: a refused one goes to FastAPI, dependencies not yet called
                _validated(plan.path, request.path_params, params)
                if plan.query:
                    # no query string, no values (what parsing an empty one gives, without the parse)
                    query = request.query_params if request.scope["query_string"] else _NONE
                    _validated(plan.query, query, params)
            except _Refused:
                return await handler(request)
            values = await _solve(plan, request, {})
            response = await endpoint(**values, **params)
            if not isinstance(response, Response):
                raise TypeError(f"{self.name} is a ReadRoute: it answers a Response, not {type(response)}")
            return response

        return read_handler


def add_read_route(router: APIRouter, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
    """``endpoint`` as a GET route of ``router`` built with :class:`ReadRoute` (one of the hot reads;
    ``options`` are ``add_api_route``'s: ``response_model``, ``dependencies`` ...)."""
    router.add_api_route(path, endpoint, methods=["GET"], route_class_override=ReadRoute, **options)
