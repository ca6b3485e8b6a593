"""Assembly of a service app: routers, error rendering, auth, health, metrics, runtime."""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.utils import generate_unique_id
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute, compile_path
from starlette.types import Scope

from shared import clock, tracing
from shared.auth import TokenVerifier
from shared.bodyguard import BodyGuardMiddleware, document_json_limits, guarded_routes
from shared.compression import GZIP_MINIMUM_SIZE
from shared.db import Database
from shared.errors import CONDITIONAL_RESPONSES, PROBLEM_RESPONSES, install_error_handlers
from shared.events.consumer import Handler
from shared.feed.router import feed_router
from shared.idempotency import install_idempotency_handler
from shared.labels import FieldLabels
from shared.observability import configure_logging, health_router, install_request_middleware
from shared.ratelimit import rate_limits
from shared.read_dispatch import install_read_dispatch
from shared.runtime import PeriodicJob, ServiceRuntime
from shared.settings import ServiceSettings
from shared.vocabulary import Vocabulary, code_labels, vocabulary_router

__all__ = ["create_service_app", "operation_id"]

# Swagger UI's own files, from a wheel (fastapi-offline): /docs works on an intranet without a CDN.
SWAGGER_ASSETS = Path(str(files("fastapi_offline") / "static"))
DOCS_ASSETS_URL = "/docs/assets"


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    handlers: Mapping[str, Handler] | None = None,
    jobs: list[PeriodicJob] | None = None,
    on_startup: Callable[[Database], Awaitable[None]] | None = None,
    description: str = "",
    labels: FieldLabels | None = None,
    vocabularies: Sequence[Vocabulary] = (),
) -> FastAPI:
    """Every service is built the same way; ``app.state`` carries settings, db, runtime, verifier.

    ``labels``: the Chinese names of the request fields (validation errors, shared/labels.py);
    ``vocabularies``: the code lists served at ``GET /<svc>/v1/vocabulary`` (shared/vocabulary.py)."""
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    clock.configure(settings.time_zone)

    settings.check_production()  # production with a development secret: refuse to start
    tracing.configure(settings.service_name, settings.otel_exporter_otlp_endpoint)
    prefix = f"/{settings.service_name}/v1"
    route_names = _RouteNames()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime(settings, handlers=handlers, jobs=jobs)
        app.state.db = runtime.db
        app.state.runtime = runtime
        if on_startup is not None:
            await on_startup(runtime.db)
        await runtime.start(
            relay=settings.run_relay, consumers=settings.run_consumers, jobs=settings.run_jobs
        )
        _freeze_startup_objects()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        telemetry=tracing.fastapi_telemetry(),  # type: ignore[arg-type]  # server spans when tracing is on
        description=description,
        version="1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from packaged assets
        redoc_url=None,
        openapi_url=f"{prefix}/openapi.json",
        generate_unique_id_function=route_names.record,
    )
    _uuid_segments_only(routers)
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings)
    app.state.rate_limits = rate_limits(
        {
            "public": (settings.rate_limit_public_per_minute, settings.rate_limit_public_burst),
            "search": (settings.rate_limit_search_per_minute, settings.rate_limit_search_burst),
        }
    )
    install_error_handlers(app, (labels or FieldLabels()) | FieldLabels(codes=code_labels(vocabularies)))
    install_idempotency_handler(app)
    feed = feed_router(settings.service_name)
    # Token and roles checked, body bounded, before any route reads a byte (inside the request id):
    # the request layer's inner part, or a layer of its own inside CORS when CORS is on.
    guard = {
        "routes": guarded_routes([*routers, feed], prefix),
        "max_body_bytes": settings.max_body_bytes,
        "max_upload_bytes": settings.max_upload_bytes,
    }
    if settings.cors_origins:
        app.add_middleware(BodyGuardMiddleware, **guard)  # type: ignore[arg-type]
        _allow_origins(app, settings.cors_origins)
    # Field clients on slow links: compressed bodies, and 304 for what they already hold (one layer
    # with the request id and metrics: shared/observability.py).
    install_request_middleware(
        app,
        settings.service_name,
        gzip_minimum_size=GZIP_MINIMUM_SIZE,
        guard=None if settings.cors_origins else guard,
    )

    async def db_ready() -> None:
        await app.state.db.ping()

    async def nats_ready() -> str | None:
        runtime: ServiceRuntime = app.state.runtime
        if not runtime.uses_nats:  # an API-only replica (relay and consumers elsewhere)
            return "unused"
        await runtime.nats_ready()
        return None

    # Writes go to the outbox and reads to the database: an API replica serves while NATS is down,
    # so its readiness is the database alone; NATS is reported (?full=1, jingzhun_nats_connected).
    app.include_router(
        health_router({"database": db_ready}, reported={"nats": nats_ready}), responses=PROBLEM_RESPONSES
    )
    for router in routers:
        app.include_router(router, prefix=prefix, responses=PROBLEM_RESPONSES)
    if vocabularies:
        app.include_router(vocabulary_router(vocabularies), prefix=prefix)
    # Every service offers its own stream as a change feed (docs/FEED.md).
    app.include_router(feed, prefix=prefix, responses=PROBLEM_RESPONSES)
    _document_problems(app, route_names, prefix)
    _serve_docs(app, prefix)
    _skip_unreachable_routers(app)
    install_read_dispatch(app)  # the hot reads' routes looked up before the walk (its answers kept)
    return app


_frozen = False


def _freeze_startup_objects() -> None:
    """What start-up built (modules, routes, models, SQLAlchemy's tables: 200,000 objects) is kept
    out of the cycle collector's full passes, which walked it all every few hundred requests
    (about a tenth of a household card's CPU, and its p99). Once per process, after a collection
    (nothing that is already garbage is frozen): a process that builds many apps (the tests) would
    otherwise freeze every earlier app's garbage for good."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def _uuid_segments_only(routers: Sequence[APIRouter]) -> None:
    """A ``{x_id}`` typed as a UUID matches only a UUID segment (Starlette's ``uuid`` convertor).

    So ``PATCH /households/imports`` is not ``PATCH /households/{household_id}`` with a bad id (422)
    but a method the ``/households/imports`` resource does not have (405), and a malformed id in a
    path names nothing (404). The documented path is unchanged (FastAPI documents the path format,
    without convertors). Done on the routers before they are included (idempotent: the routers are
    module-level and shared by every app built from them)."""
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                path = route.path
                for param in route.dependant.path_params:
                    if param.field_info.annotation is uuid.UUID and "{" + param.name + "}" in path:
                        path = path.replace("{" + param.name + "}", "{" + param.name + ":uuid}")
                if path != route.path:
                    route.path = path
                    route.path_regex, route.path_format, route.param_convertors = compile_path(path)
            else:
                included = getattr(route, "original_router", None)  # a router included in this one
                if isinstance(included, APIRouter):
                    _uuid_segments_only([included])


def _skip_unreachable_routers(app: FastAPI) -> None:
    """Each included router answers "no match" at once for a path none of its routes can match.

    Starlette finds a request's route by asking every entry of the app's routes in turn; each
    included router (FastAPI keeps one entry per ``include_router``) then tries the pattern of every
    route it holds, so a route of the ninth router paid for the eight before it (a sixth of a
    roll-up read's CPU). A route's pattern starts with its path up to the first parameter, taken
    literally: a path that starts with none of a router's literal beginnings matches none of its
    routes. The walk, its order and its answer are unchanged (405s, redirects and the OpenAPI
    document included); only the routers that could not match are skipped."""
    for route in app.router.routes:
        routers = _included_routers(route)
        if not routers:
            continue
        try:
            guard = _PrefixGuard(route, routers)
        except AttributeError:  # FastAPI's route internals read here moved: keep its plain walk
            continue
        route.matches = guard  # type: ignore[method-assign]
        if callable(getattr(route, "_match", None)) and hasattr(route, "_handle_selected"):
            route._match = _MatchOnce(route._match)  # type: ignore[attr-defined]


def _included_routers(route: BaseRoute) -> list[Any]:
    """The APIRouters an ``include_router`` entry holds, itself first and nested ones after."""
    router = getattr(route, "original_router", None)
    if not isinstance(router, APIRouter):
        return []
    nested = (_included_routers(child) for child in router.routes)
    return [router, *(r for found in nested for r in found)]


def _literal_beginnings(route: BaseRoute) -> tuple[str, ...] | None:
    """Every route's path up to its first parameter, of an ``include_router`` entry; None when one
    of its routes matches on something else than the path (a host) or is of a kind not known here."""
    beginnings: set[str] = set()
    for context in route.effective_route_contexts():  # type: ignore[attr-defined]
        leaf = context.starlette_route
        if leaf is None and isinstance(context.original_route, APIRoute):
            path_format = context.path_format
        elif isinstance(leaf, Route | Mount | WebSocketRoute):
            path_format = leaf.path_format
        else:
            return None
        beginnings.add(path_format.split("{", 1)[0])
    return tuple(sorted(beginnings))


class _PrefixGuard:
    """``matches`` of one ``include_router`` entry: NONE without asking its routes when the path
    starts with none of their literal beginnings. Rebuilt if a route is added to one of its routers
    later (the version FastAPI counts changes)."""

    def __init__(self, route: BaseRoute, routers: list[Any]) -> None:
        self.matches = route.matches
        self.route = route
        self.routers = routers
        self.versions: list[int] = []
        self.beginnings: tuple[str, ...] | None = None
        self._refresh()

    def _refresh(self) -> None:
        self.versions = [router._routes_version for router in self.routers]
        self.beginnings = _literal_beginnings(self.route)

    def __call__(self, scope: Scope) -> tuple[Match, Scope]:
        for router, version in zip(self.routers, self.versions, strict=True):
            if router._routes_version != version:
                self._refresh()
                break
        if self.beginnings is not None and not get_route_path(scope).startswith(self.beginnings):
            return Match.NONE, {}
        return self.matches(scope)


_MATCHED = "jingzhun.included_match"  # the scope's key of _MatchOnce's answer


class _MatchOnce:
    """``_match`` of one ``include_router`` entry, worked out once a request: FastAPI walks the
    included router's routes to answer the app's walk (``matches``), and walks them again to
    handle the request it matched (``_handle_selected``), for the same path and method. The second
    walk gets the first one's answer (a fiftieth of a card read's CPU); any other path, method or
    scope is walked anew."""

    __slots__ = ("match",)

    def __init__(self, match: Callable[[Scope], Any]) -> None:
        self.match = match

    def __call__(self, scope: Scope) -> Any:
        key = (self, scope["type"], scope.get("method"), scope.get("path"), scope.get("root_path"))
        found = scope.get(_MATCHED)
        if found is not None and found[0] == key:
            return found[1]
        answer = self.match(scope)
        scope[_MATCHED] = (key, answer)
        return answer


# What a browser page of an allowed origin may send and read (the headers the API takes and answers).
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Content-Encoding",  # a gzipped upload (a cadre's visit batch, a bulk import: shared/compression.py)
    "Accept-Language",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
)
CORS_RESPONSE_HEADERS = ("ETag", "Location", "Retry-After", "X-Request-ID", "Idempotent-Replayed")


def _allow_origins(app: FastAPI, origins: Sequence[str]) -> None:
    """CORS for the deployment's own frontends (``<SERVICE>_CORS_ORIGINS``); none, no CORS headers.

    Outside the token check, so a preflight (which carries no token) is answered; inside the request
    id, so its answers carry ``X-Request-ID``. Bearer tokens, never cookies: no credentials mode."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=list(CORS_REQUEST_HEADERS),
        expose_headers=list(CORS_RESPONSE_HEADERS),
        allow_credentials=False,
        max_age=600,
    )


def _serve_docs(app: FastAPI, prefix: str) -> None:
    """Swagger UI with its assets served by the app, at /docs and under the API root (so it is
    reachable through the gateway and the ingress too); the spec also at /openapi.json."""
    for base in ("", prefix):
        assets = StaticFiles(directory=SWAGGER_ASSETS)
        app.mount(f"{base}{DOCS_ASSETS_URL}", assets, name=f"docs-assets{base}")
        app.add_api_route(f"{base}/docs", _docs_page(app, prefix, base), include_in_schema=False)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(app.openapi())


def _docs_page(app: FastAPI, prefix: str, base: str) -> Callable[[Request], Awaitable[HTMLResponse]]:
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = f"{root}{base}{DOCS_ASSETS_URL}"
        return get_swagger_ui_html(
            openapi_url=f"{root}{prefix}/openapi.json",
            title=f"{app.title} - API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=None,
            # no call to the public validator; keep the token across reloads of the page
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    return docs


class _RouteNames:
    """Records each operation's handler name while FastAPI builds the spec (for :func:`operation_id`)."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, str], str] = {}

    def record(self, route: Any) -> str:
        for method in route.methods or ():
            self.names[(route.path_format, method.lower())] = route.name
        return generate_unique_id(route)  # FastAPI's own id still names the request-body schemas


_WORD = re.compile(r"[a-z0-9]+")


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def operation_id(path: str, name: str, prefix: str) -> str:
    """``<resource>:<verb>``: the first path segment under the API root and the handler's name.

    The resource's own words are dropped from the verb: ``read_household`` on ``/households/{id}``
    is ``households:read``, ``add_member`` on ``/households/{id}/members`` is ``households:add-member``.
    Stable as long as the path's first segment and the handler's name are.
    """
    rest = path[len(prefix):] if path.startswith(prefix + "/") else path
    resource = next(seg for seg in rest.split("/") if seg and not seg.startswith("{"))
    own = {w for part in resource.split("-") for w in (part, _singular(part))}
    words = _WORD.findall(name.lower())
    verb = [w for w in words if w not in own] or words
    return f"{resource}:{'-'.join(verb)}"


def _summary(name: str, description: str | None) -> str:
    """One line: the docstring's first sentence when it is short, else the handler's name in words."""
    if description:
        first = " ".join(re.split(r"\n\s*\n", description.strip(), maxsplit=1)[0].split())
        sentence = re.split(r"(?<=[^.]\.)\s", first, maxsplit=1)[0].rstrip(".").replace("``", "`")
        if sentence[:1].isupper() and len(sentence) <= 100:
            return sentence
    return name.replace("_", " ").capitalize()


def _name_operations(schema: dict[str, Any], names: Mapping[tuple[str, str], str], prefix: str) -> None:
    seen: dict[str, str] = {}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            name = names.get((path, method))
            if name is None:  # not an operation (e.g. path-level parameters)
                continue
            op_id = operation_id(path, name, prefix)
            if op_id in seen:
                raise RuntimeError(
                    f"operation id {op_id} of {method.upper()} {path} is already {seen[op_id]}'s: "
                    "rename a handler"
                )
            seen[op_id] = f"{method.upper()} {path}"
            operation["operationId"] = op_id
            operation["summary"] = _summary(name, operation.get("description"))


def _document_problems(app: FastAPI, names: _RouteNames, prefix: str) -> None:
    """Errors are application/problem+json: say so in the OpenAPI document clients are generated from."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        _name_operations(schema, names.names, prefix)
        document_json_limits(schema)
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                headers = {
                    p.get("name", "").lower()
                    for p in operation.get("parameters", [])
                    if p.get("in") == "header"
                }
                if "if-match" in headers:
                    for code, spec in CONDITIONAL_RESPONSES.items():
                        operation["responses"].setdefault(
                            str(code),
                            {
                                "description": spec["description"],
                                "content": {"application/json": {"schema": problem_ref}},
                            },
                        )
                if "requestBody" in operation:  # shared/bodyguard.py, before the body is read
                    operation["responses"].setdefault(
                        "413",
                        {
                            "description": "The body is larger than this operation takes (body-too-large)",
                            "content": {"application/problem+json": {"schema": problem_ref}},
                        },
                    )
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if code[0] not in "45":
                        continue
                    if "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
                    # a route answering a document (text/html, …) still refuses in problem+json
                    for media in [m for m, body in content.items() if body.get("schema") == problem_ref]:
                        content["application/problem+json"] = content.pop(media)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
