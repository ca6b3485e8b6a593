"""What runs beside the HTTP API: the outbox relay, event consumers and periodic jobs.

Runs inside the app process by default (``run_relay``/``run_consumers``/``run_jobs``), or alone
as a worker process (``jingzhun worker <service>``) so ops can scale each part on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from shared import audit
from shared.clock import clock
from shared.db import Database
from shared.events.consumer import ConsumerRunner, Handler
from shared.events.contracts import contracts as event_contracts
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_stream, inbox_prefix, stream_for
from shared.feed.delivery import FeedDelivery
from shared.observability import NATS_CONNECTED
from shared.retention import prune_job
from shared.settings import ServiceSettings

__all__ = ["PeriodicJob", "ServiceRuntime"]

log = structlog.get_logger(__name__)
ON_DEMAND_CONNECT_S = 3.0  # how long a request waits for an on-demand NATS connection


@dataclass(frozen=True)
class PeriodicJob:
    """A job the service runs every ``interval_s`` (escalations, detectors, coverage checks).

    ``run(db, now)`` opens its own transaction(s); tests call it directly with a chosen ``now``.
    """

    name: str
    interval_s: float
    run: Callable[[Database, datetime], Awaitable[object]]


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        handlers: Mapping[str, Handler] | None = None,
        jobs: list[PeriodicJob] | None = None,
        db: Database | None = None,
    ) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.handlers = dict(handlers or {})
        self.jobs = list(jobs or [])
        # The push change feed: one delivery job per webhook subscription ops configured.
        self.feed = [
            FeedDelivery(
                sub,
                service=self.service,
                jetstream=self.jetstream,
                stream_replicas=settings.nats_stream_replicas,
            )
            for sub in settings.feed_subscriptions
        ]
        self.jobs += [PeriodicJob(name=d.job_name, interval_s=1.0, run=d.run) for d in self.feed]
        self.jobs.append(PeriodicJob("audit-seal", settings.audit_seal_interval_s, self._seal_audit))
        self.jobs.append(PeriodicJob("prune", settings.prune_interval_s, prune_job(settings)))
        self.db = db or Database(settings.database_url, pool_size=settings.db_pool_size)
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: ConsumerRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._bus_lock = asyncio.Lock()
        self._bus_connecting = False

    async def _seal_audit(self, db: Database, now: datetime) -> object:
        async with db.transaction() as session:
            return await audit.seal(
                session, service=self.service, now=now, settle_s=self.settings.audit_seal_settle_s
            )

    async def start(self, *, relay: bool, consumers: bool, jobs: bool) -> None:
        self._bus_connecting = relay or (consumers and bool(self.handlers))  # else jetstream() connects
        if self._bus_connecting:
            NATS_CONNECTED.labels(self.service).set_function(
                lambda: 1.0 if self.nc is not None and self.nc.is_connected else 0.0
            )
        self._tasks.append(asyncio.create_task(self._connect_and_run(relay=relay, consumers=consumers)))
        if jobs:
            for job in self.jobs:
                self._tasks.append(asyncio.create_task(self._run_job(job)))

    async def _connect(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                await self._open_bus()
                return
            except Exception as exc:  # NATS not up yet: keep trying, the API still serves
                log.warning("nats_connect_failed", error=repr(exc))
                if self.nc is not None:
                    with contextlib.suppress(Exception):
                        await self.nc.close()
                    self.nc = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _open_bus(self) -> None:
        self.nc = await nats.connect(
            self.settings.nats_url,
            name=f"jingzhun-{self.service}",
            inbox_prefix=inbox_prefix(self.service),
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=2,
            allow_reconnect=True,
        )
        try:
            js = self.nc.jetstream(timeout=5)
            await ensure_stream(
                js, stream_for(self.service), replicas=self.settings.nats_stream_replicas, own=True
            )
        except Exception:
            with contextlib.suppress(Exception):
                await self.nc.close()
            self.nc = None
            raise
        self.js = js

    async def jetstream(self) -> JetStreamContext:
        """The bus for work that needs it on demand (the change feed), connecting on first use.

        Raises when NATS cannot be reached; an API-only replica connects only once asked.
        """
        if self.js is not None:
            return self.js
        if self._bus_connecting:
            raise ConnectionError("not connected to NATS yet")
        async with self._bus_lock:
            if self.js is None:
                # nats-py retries an unreachable server for ever: a request waits a bounded time.
                try:
                    await asyncio.wait_for(self._open_bus(), timeout=ON_DEMAND_CONNECT_S)
                except TimeoutError as exc:
                    raise ConnectionError(f"NATS did not answer within {ON_DEMAND_CONNECT_S} s") from exc
        assert self.js is not None
        return self.js

    async def _connect_and_run(self, *, relay: bool, consumers: bool) -> None:
        if not relay and not (consumers and self.handlers):
            return  # nothing here needs the bus (e.g. an API-only replica)
        await self._connect()
        if self.js is None:
            return
        runs: list[Awaitable[None]] = []
        if relay:
            self.relay = OutboxRelay(self.db, self.js, service=self.service)
            runs.append(self.relay.run())
        if consumers and self.handlers:
            self.consumers = ConsumerRunner(
                self.db,
                self.js,
                service=self.service,
                handlers=self.handlers,
                stream_replicas=self.settings.nats_stream_replicas,
                max_attempts=self.settings.consumer_max_attempts,
                # every event is read through its producer's contract (imported by consumers.py)
                contracts=event_contracts(),
            )
            runs.append(self.consumers.run())
        if runs:
            await asyncio.gather(*runs)

    async def _run_job(self, job: PeriodicJob) -> None:
        while not self._stopping.is_set():
            try:
                await job.run(self.db, clock.now())
            except Exception as exc:  # a failing job is logged and retried next round
                log.warning("job_failed", job=job.name, error=repr(exc))
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=job.interval_s)
            except TimeoutError:
                pass

    @property
    def uses_nats(self) -> bool:
        return self.settings.run_relay or (self.settings.run_consumers and bool(self.handlers))

    async def nats_ready(self) -> None:
        if self.nc is None or not self.nc.is_connected:
            raise ConnectionError("not connected to NATS")

    async def stop(self) -> None:
        self._stopping.set()
        if self.relay:
            self.relay.stop()
        if self.consumers:
            self.consumers.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.nc is not None:
            # Our consumers have stopped taking messages; unacked ones are redelivered to another
            # replica. close() rather than drain(): drain waits up to 30 s on pull subscriptions.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.nc.close(), timeout=5)
        await self.db.dispose()
