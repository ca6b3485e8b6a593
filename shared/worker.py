"""A worker process (``jingzhun worker <service>``): relay, consumers and jobs, with a small HTTP server.

The server has what Kubernetes and Prometheus need and nothing else: ``/metrics``, ``/health/live``
and ``/health/ready``. A worker is ready when it reaches its database *and* NATS (it exists to move
events); the API replicas, which only need the database, stay ready through a NATS outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import uvicorn
from fastapi import FastAPI

from shared.observability import health_router
from shared.runtime import ServiceRuntime

__all__ = ["run_worker", "worker_app"]


def worker_app(runtime: ServiceRuntime) -> FastAPI:
    app = FastAPI(title=f"Jingzhun {runtime.service} worker", docs_url=None, redoc_url=None, openapi_url=None)

    async def database() -> None:
        await runtime.db.ping()

    async def nats() -> None:
        await runtime.nats_ready()

    app.include_router(health_router({"database": database, "nats": nats}))
    return app


async def run_worker(runtime: ServiceRuntime, *, host: str, port: int | None) -> None:
    """Start everything, serve HTTP on ``host:port`` (none when ``port`` is None), stop on SIGTERM/SIGINT."""
    await runtime.start(relay=True, consumers=True, jobs=True)
    server: uvicorn.Server | None = None
    serving: asyncio.Task[None] | None = None
    if port is not None:
        config = uvicorn.Config(
            worker_app(runtime), host=host, port=port, lifespan="off", access_log=False, log_config=None
        )
        server = uvicorn.Server(config)
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # ours, below
        serving = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiters = [asyncio.create_task(stop.wait())] + ([serving] if serving else [])
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    if server is not None and serving is not None:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await serving
    await runtime.stop()
