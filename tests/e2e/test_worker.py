"""`jingzhun worker <service>` relays and consumes without serving HTTP (scaled apart from the API)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import httpx
import nats
import pytest

from deploy.local.stack import free_port
from shared.db import Database
from shared.events import add_event
from shared.settings import REPO_ROOT
from tests.support import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]


async def test_worker_process_relays_the_outbox(make_db, nats_url) -> None:  # type: ignore[no-untyped-def]
    url = make_db("registry")
    db = Database(url, pool_size=1)
    async with db.transaction() as s:
        event = await add_event(
            s, type="registry.area.upserted.v1", subject="440783101201", data={"code": "440783101201"}
        )
    await db.dispose()

    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_NATS_URL": nats_url,
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    worker = subprocess.Popen(
        [sys.executable, "-m", "deploy.cli", "worker", "registry", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, cwd=REPO_ROOT,
    )
    nc = await nats.connect(nats_url)
    try:
        # its own small HTTP server: probes and metrics
        base = f"http://127.0.0.1:{port}"
        ready = await wait_for(lambda: _get(f"{base}/health/ready"), timeout_s=30, what="worker ready")
        assert ready.json() == {"status": "ready", "checks": {"database": "ok", "nats": "ok"}}
        assert (await _get(f"{base}/health/live")).status_code == 200  # type: ignore[union-attr]
        js = nc.jetstream()
        for _ in range(100):
            try:
                msg = await js.get_last_msg("REGISTRY", "registry.area.upserted.v1")
                break
            except Exception:
                await asyncio.sleep(0.1)
        else:
            pytest.fail("the worker did not publish the outbox event within 10 s")
        assert msg.headers is not None
        assert msg.headers["Nats-Msg-Id"] == event.id
        # the relay counts an event once its batch is marked published, a moment after the stream
        # holds it: wait for the count rather than read it at once
        published = 'jingzhun_events_published_total{service="registry"} 1.0'

        async def _counted() -> str:
            text = (await _get(f"{base}/metrics")).text  # type: ignore[union-attr]
            return text if published in text else ""

        metrics = await wait_for(_counted, timeout_s=10, what="the published event counted")
        assert 'jingzhun_nats_connected{service="registry"} 1.0' in metrics
    finally:
        await nc.close()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0


async def _get(url: str) -> httpx.Response | None:
    """The response when it is a 200, else None (not up yet)."""
    try:
        async with httpx.AsyncClient(timeout=2) as c:
            r = await c.get(url)
    except httpx.HTTPError:
        return None
    return r if r.status_code == 200 else None
