"""Benchmark: outbox -> relay -> JetStream -> consumer with inbox, on real servers (fsync on).

    make bench        (or: .venv/bin/python -m tests.bench events --events 5000)

Measures how fast committed events leave the outbox and how fast a consumer applies them, with
PostgreSQL and nats-server as `make run` starts them (fsync on, NATS sync_interval always): first
with a no-op handler (the machinery alone), then with the services' real projection handlers, each
consumer in its own process, and a 50,000-household import reaching every projection
(``tests.bench.projections``; ``BENCH_IMPORT_HOUSEHOLDS`` changes the import's size).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import nats
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from deploy.local.stack import LocalStack
from shared.db import Database
from shared.events import CloudEvent, add_event
from shared.events.consumer import ConsumerRunner
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_streams
from shared.migrations import upgrade
from shared.tables import inbox, outbox
from tests.bench import projections

EVENT = "registry.household.registered.v1"


async def _noop(session: AsyncSession, event: CloudEvent) -> None:
    return None


async def _count(db: Database, stmt) -> int:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        return int((await s.execute(stmt)).scalar_one())


async def run(events: int) -> dict[str, float]:
    noop: dict[str, float]
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-bench-"))
    stack = LocalStack(tmp, fsync=True).start()
    try:
        for name, svc in (("producer", "registry"), ("consumer", "pairing")):
            stack.create_database(name)
            upgrade(svc, stack.database_url(name))
        producer = Database(stack.database_url("producer"))
        consumer = Database(stack.database_url("consumer"))
        t0 = time.perf_counter()
        for start in range(0, events, 100):
            async with producer.transaction() as s:
                for i in range(start, min(start + 100, events)):
                    await add_event(s, type=EVENT, subject=str(i), data={"household_id": str(i), "n": i})
        write_s = time.perf_counter() - t0

        nc = await nats.connect(stack.nats_url)
        js = nc.jetstream(timeout=5)
        await ensure_streams(js)
        relay = OutboxRelay(producer, js, service="registry")
        runner = ConsumerRunner(consumer, js, service="pairing", handlers={EVENT: _noop}, batch=200)
        server1 = projections.server_cpu_s(stack.nats_proc.pid)
        t1, cpu1 = time.perf_counter(), time.process_time()
        relay_task = asyncio.create_task(relay.run())
        unsent = select(func.count()).where(outbox.c.published_at.is_(None))
        while await _count(producer, unsent):
            await asyncio.sleep(0.05)
        relay_s, relay_cpu = time.perf_counter() - t1, time.process_time() - cpu1
        server_cpu = projections.server_cpu_s(stack.nats_proc.pid) - server1
        t2 = time.perf_counter()
        consumer_task = asyncio.create_task(runner.run())
        while await _count(consumer, select(func.count()).select_from(inbox)) < events:
            await asyncio.sleep(0.05)
        consume_s = time.perf_counter() - t2
        relay.stop()
        runner.stop()
        for t in (relay_task, consumer_task):
            t.cancel()
        await asyncio.gather(relay_task, consumer_task, return_exceptions=True)
        await nc.close()
        await producer.dispose()
        await consumer.dispose()
        noop = {
            "events": events,
            "outbox_write_per_s": events / write_s,
            "relay_publish_per_s": events / relay_s,
            "relay_cpu_us_per_event": 1e6 * relay_cpu / events,
            "relay_nats_cpu_us_per_event": 1e6 * server_cpu / events,
            "consumer_apply_per_s": events / consume_s,
        }
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return noop | {f"real.{k}": v for k, v in (await projections.run(events)).items()}
