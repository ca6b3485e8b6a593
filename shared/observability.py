"""JSON logs with the request id, Prometheus metrics, liveness and readiness."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from shared.context import new_request_id, request_id_var

__all__ = [
    "CONSUMER_PENDING",
    "NATS_CONNECTED",
    "EVENTS_CONSUMED",
    "EVENTS_DEAD_LETTERED",
    "EVENTS_PUBLISHED",
    "OUTBOX_UNSENT",
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


def _add_request_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    rid = request_id_var.get()
    if rid and "request_id" not in event_dict:
        event_dict["request_id"] = rid
    return event_dict


def configure_logging(service: str, *, level: str = "INFO", json: bool = True) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else (structlog.dev.ConsoleRenderer(colors=False))
    )
    logging.basicConfig(stream=sys.stdout, level=level, format="%(message)s", force=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_request_id,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


def install_request_middleware(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id") or new_request_id()
        token = request_id_var.set(rid[:100])
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(service, request.method, path, str(response.status_code)).inc()
        HTTP_LATENCY.labels(service, request.method, path).observe(time.perf_counter() - started)
        response.headers["X-Request-ID"] = rid[:100]
        return response


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
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
