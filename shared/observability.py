"""JSON logs with the request id, Prometheus metrics, liveness and readiness."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import tracing
from shared.bodyguard import BODY_HEADERS, BodyGuardMiddleware
from shared.compression import SizedGZipMiddleware, set_raw_header
from shared.conditional import not_modified_start
from shared.context import new_request_id, request_id_var
from shared.errors import render_unhandled

__all__ = [
    "CONSUMER_PENDING",
    "NATS_CONNECTED",
    "EVENTS_CONSUMED",
    "EVENTS_DEAD_LETTERED",
    "EVENTS_PUBLISHED",
    "OUTBOX_UNSENT",
    "RequestContextMiddleware",
    "configure_logging",
    "health_router",
    "install_request_middleware",
]

HTTP_REQUESTS = Counter(
    "jingzhun_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "jingzhun_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_PUBLISHED = Counter("jingzhun_events_published_total", "Outbox events relayed", ["service"])
OUTBOX_UNSENT = Gauge("jingzhun_outbox_unsent", "Outbox events not yet relayed to NATS", ["service"])
CONSUMER_PENDING = Gauge(
    "jingzhun_consumer_pending", "Events waiting in JetStream for a durable consumer", ["service", "consumer"]
)
EVENTS_CONSUMED = Counter(
    "jingzhun_events_consumed_total", "Events handled by consumers", ["service", "consumer", "outcome"]
)
NATS_CONNECTED = Gauge(
    "jingzhun_nats_connected",
    "1 while this process is connected to NATS (relay, consumers), 0 while not; absent where unused",
    ["service"],
)
EVENTS_DEAD_LETTERED = Counter(
    "jingzhun_events_dead_lettered_total",
    "Events a consumer gave up on after its last attempt (moved to the DEADLETTER stream)",
    ["service", "type"],
)


log = structlog.get_logger(__name__)
access_log = structlog.get_logger("jingzhun.access")


_PROBE_ROUTES = frozenset({"/health/live", "/health/ready", "/metrics"})


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else None


def _add_request_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    rid = request_id_var.get()
    if rid and "request_id" not in event_dict:
        event_dict["request_id"] = rid
    return event_dict


# The level structlog filters at, as configure_logging set it (until then everything is logged).
_log_level = logging.NOTSET


# Loggers of the server and libraries that would otherwise print plain text or their own format.
_FOREIGN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "sqlalchemy", "alembic", "nats", "httpx")
# HTTP clients that log every request they send (httpx: one INFO line per webhook POST, a flood at a
# province's rate): warnings and errors only, unless the operator asks for DEBUG.
_PER_REQUEST_LOGGERS = ("httpx", "httpcore")


def configure_logging(service: str, *, level: str = "INFO", json: bool = True) -> None:
    """One JSON line per log record, from structlog and from the standard library alike.

    structlog events and ``logging`` records (uvicorn, SQLAlchemy, httpx, anything else) go
    through the same processors: level, logger, UTC timestamp, service, request id (and the trace
    id when tracing is on). uvicorn's own access log is switched off: the request layer logs one
    ``http_request`` line per request, with its id, status and duration. httpx and httpcore log from
    WARNING (not a line per webhook POST) unless ``level`` is DEBUG.
    """
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else (structlog.dev.ConsoleRenderer(colors=False))
    )
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
        _add_trace_id,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared_processors, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _FOREIGN_LOGGERS:  # uvicorn's dictConfig gave these handlers of their own
        foreign = logging.getLogger(name)
        foreign.handlers.clear()
        foreign.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True  # replaced by the http_request line of RequestContextMiddleware
    global _log_level
    numeric = logging.getLevelName(level)
    debug = isinstance(numeric, int) and numeric <= logging.DEBUG
    for name in _PER_REQUEST_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)
    _log_level = numeric if isinstance(numeric, int) else logging.NOTSET
    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


class RequestContextMiddleware:
    """Request id, metrics, the last word on errors, conditional GET and gzip: the one layer around
    the routes.

    Pure ASGI (not ``@app.middleware``), so it also sees what escapes every exception handler:
    such an error is rendered here (503 when the database is out of reach, else 500), still
    carries ``X-Request-ID``, is counted under its status and is logged with the request id.

    What were three middlewares (this, ``ConditionalGetMiddleware`` and ``SizedGZipMiddleware``,
    outermost last) is one: the request's headers are scanned once and ``send`` is wrapped once (a
    tenth of a household card's CPU went to the layers themselves). Their order is kept: the
    request id is set on the route's answer, which then may become a 304 (shared/conditional.py),
    which then may be compressed (shared/compression.py). Metrics and the access log count the
    route's own status (a 304 made here is counted as the route's 200, as before).
    """

    def __init__(
        self,
        app: ASGIApp,
        service: str,
        *,
        gzip_minimum_size: int | None = None,
        guard: Mapping[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.service = service
        # With ``guard`` (BodyGuardMiddleware's arguments) the body guard is this layer's inner part:
        # the same gate, in the same place (inside the request id, outside the routes), handed the
        # headers this layer reads anyway, without a layer of its own.
        self.guard = None if guard is None else BodyGuardMiddleware(app, **guard)
        # None: no compression here (the layer alone, as in tests that build their own stack)
        self._gzip = None if gzip_minimum_size is None else SizedGZipMiddleware(app, gzip_minimum_size)
        # The metric children of each (method, route[, status]), looked up once: ``labels()``
        # checks and joins its arguments on every call. Routes are templates, so this stays small.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    def _counted(self, method: str, route: str, status: int) -> Any:
        key = (method, route, status)
        child = self._counters.get(key)
        if child is None:
            child = self._counters[key] = HTTP_REQUESTS.labels(self.service, method, route, str(status))
        return child

    def _timed(self, method: str, route: str) -> Any:
        key = (method, route)
        child = self._timers.get(key)
        if child is None:
            child = self._timers[key] = HTTP_LATENCY.labels(self.service, method, route)
        return child

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = if_none_match = accept_encoding = authorization = None
        announced = False  # a body (the guard's question)
        for key, value in scope["headers"]:  # once, for all (the first of each, as Headers.get)
            if key == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif key == b"accept-encoding":
                if accept_encoding is None:
                    accept_encoding = value.decode("latin-1")
            elif key == b"x-request-id":
                incoming = incoming if incoming is not None else value.decode("latin-1")
            elif key == b"if-none-match":
                if_none_match = if_none_match if if_none_match is not None else value.decode("latin-1")
            elif key in BODY_HEADERS:
                announced = True
        rid = (incoming or new_request_id())[:100]
        rid_header = rid.encode("latin-1")
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500
        response_started = False
        outward = send if self._gzip is None else self._gzip.responder(send, accept_encoding or "")
        conditional = bool(if_none_match) and scope["method"] in ("GET", "HEAD")
        not_modified = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started, not_modified
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                # MutableHeaders(scope=message)["X-Request-ID"] = rid, without the object
                headers = message["headers"] = list(message["headers"])
                set_raw_header(headers, b"x-request-id", rid_header)
                if conditional and status == 200:
                    message, not_modified = not_modified_start(message, if_none_match or "")
            elif not_modified and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await outward(message)

        try:
            if self.guard is None:
                await self.app(scope, receive, send_with_id)
            else:
                await self.guard.enter(
                    scope, receive, send_with_id, authorization=authorization, announced=announced
                )
        except Exception as exc:
            if response_started:  # too late for an error response: the client sees a cut body
                log.error("error_after_response_started", path=scope.get("path"), exc_info=exc)
                raise
            response = await render_unhandled(Request(scope), exc)
            await response(scope, receive, send_with_id)
        except asyncio.CancelledError:  # the server cancelled it (shutdown): not a 500 of ours
            if not response_started:
                status = 499
            raise
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope.get("method", "")
            elapsed = time.perf_counter() - started
            self._counted(method, path, status).inc()
            self._timed(method, path).observe(elapsed)
            quiet = path in _PROBE_ROUTES  # probes and scrapes every few seconds: debug only
            # Asked only when its level is logged: the lazy logger proxy binds itself anew on every
            # call (cache_logger_on_first_use is off), filtered out or not.
            if _log_level <= (logging.DEBUG if quiet else logging.INFO):
                (access_log.debug if quiet else access_log.info)(
                    "http_request", method=method, path=scope.get("path"), route=path, status=status,
                    duration_ms=round(elapsed * 1000, 1), client=_client(scope),
                )
            request_id_var.reset(token)


def _add_trace_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if tracing.enabled():
        ids = tracing.current_ids()
        if ids is not None:
            event_dict.setdefault("trace_id", ids[0])
            event_dict.setdefault("span_id", ids[1])
    return event_dict


def install_request_middleware(
    app: FastAPI,
    service: str,
    *,
    gzip_minimum_size: int | None = None,
    guard: Mapping[str, Any] | None = None,
) -> None:
    """Add :class:`RequestContextMiddleware` (middleware added later wrap it); with
    ``gzip_minimum_size``, it also compresses answers of at least that size; with ``guard``
    (BodyGuardMiddleware's arguments), it also holds the body guard, inside it."""
    app.add_middleware(
        RequestContextMiddleware, service=service, gzip_minimum_size=gzip_minimum_size, guard=guard
    )


def _metrics_text() -> bytes:
    """This process's metrics; with several uvicorn workers (``PROMETHEUS_MULTIPROC_DIR`` set),
    every worker's, added up, whichever worker the scrape reaches."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


ReadinessCheck = Callable[[], Awaitable[object]]  # raises when failing; a str result is its status


def health_router(
    checks: dict[str, ReadinessCheck], reported: dict[str, ReadinessCheck] | None = None
) -> APIRouter:
    """``/health/ready`` runs ``checks`` (what must work to take traffic); ``?full=1`` also runs
    ``reported`` (what is only reported, e.g. NATS for an API replica) and fails if any fails."""
    router = APIRouter(tags=["health"])
    reported = reported or {}

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        """The process runs (liveness probe)"""
        return {"status": "live"}

    @router.get("/health/ready")
    async def ready(
        full: Annotated[bool, Query(description="also check what is only reported (NATS)")] = False,
    ) -> JSONResponse:
        """Ready for traffic (readiness probe); `?full=1` for every dependency"""
        results: dict[str, str] = {}
        ok = True
        for name, check in {**checks, **(reported if full else {})}.items():
            try:
                outcome = await check()
                results[name] = outcome if isinstance(outcome, str) else "ok"
            except Exception as exc:  # readiness reports any failure, it must not raise
                ok = False
                results[name] = f"failing: {type(exc).__name__}"
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": results}, status_code=200 if ok else 503
        )

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(_metrics_text(), media_type=CONTENT_TYPE_LATEST)

    return router
