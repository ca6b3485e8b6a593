"""`jingzhun worker <service>` relays and consumes without serving HTTP (scaled apart from the API)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import nats
import pytest

from shared.db import Database
from shared.events import add_event
from shared.settings import REPO_ROOT

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
    worker = subprocess.Popen(
        [sys.executable, "-m", "deploy.cli", "worker", "registry"], env=env, cwd=REPO_ROOT
    )
    nc = await nats.connect(nats_url)
    try:
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
    finally:
        await nc.close()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
