"""Assembly of a service app: routers, error rendering, auth, health, metrics, runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi

from shared import clock
from shared.auth import TokenVerifier
from shared.bodyguard import BodyGuardMiddleware, guarded_routes
from shared.conditional import ConditionalGetMiddleware
from shared.db import Database
from shared.errors import CONDITIONAL_RESPONSES, PROBLEM_RESPONSES, install_error_handlers
from shared.events.consumer import Handler
from shared.feed.router import feed_router
from shared.idempotency import install_idempotency_handler
from shared.observability import configure_logging, health_router, install_request_middleware
from shared.runtime import PeriodicJob, ServiceRuntime
from shared.settings import ServiceSettings

__all__ = ["create_service_app"]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    handlers: Mapping[str, Handler] | None = None,
    jobs: list[PeriodicJob] | None = None,
    on_startup: Callable[[Database], Awaitable[None]] | None = None,
    description: str = "",
) -> FastAPI:
    """Every service is built the same way; ``app.state`` carries settings, db, runtime, verifier."""
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    clock.configure(settings.time_zone)
    prefix = f"/{settings.service_name}/v1"

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
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url=f"{prefix}/openapi.json",
    )
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings)
    install_error_handlers(app)
    install_idempotency_handler(app)
    feed = feed_router()
    # Token and roles checked, body bounded, before any route reads a byte (inside the request id).
    app.add_middleware(
        BodyGuardMiddleware,
        routes=guarded_routes([*routers, feed], prefix),
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    install_request_middleware(app, settings.service_name)
    # Field clients on slow links: compressed bodies, and 304 for what they already hold.
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024)

    async def db_ready() -> None:
        await app.state.db.ping()

    async def nats_ready() -> None:
        runtime: ServiceRuntime = app.state.runtime
        if runtime.uses_nats:  # an API-only replica (relay and consumers elsewhere) needs no bus
            await runtime.nats_ready()

    app.include_router(health_router({"database": db_ready, "nats": nats_ready}))
    for router in routers:
        app.include_router(router, prefix=prefix, responses=PROBLEM_RESPONSES)
    # Every service offers its own stream as a change feed (docs/FEED.md).
    app.include_router(feed, prefix=prefix, responses=PROBLEM_RESPONSES)
    _document_problems(app)
    return app


def _document_problems(app: FastAPI) -> None:
    """Errors are application/problem+json: say so in the OpenAPI document clients are generated from."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
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
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if code[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
