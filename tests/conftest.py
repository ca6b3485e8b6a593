"""Real PostgreSQL and nats-server for the whole suite, started once, only when a test needs them.

- ``make_db("funds")`` -> URL of a fresh database migrated to head (copied from a per-session
  template, so each test owns its database and nothing is cleaned by deletes).
- ``nats_url`` -> the test NATS, with every stream (dead letters included) and consumer deleted
  before the test.
The cluster lives under ``.data/test-<pid>`` (never ``make run``'s data) and is removed afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nats
import pytest
import pytest_asyncio

from deploy.local.stack import LocalStack
from shared.clock import DEFAULT_TIME_ZONE, clock
from shared.events.streams import DEADLETTER_STREAM, STREAMS
from shared.migrations import upgrade
from shared.settings import REPO_ROOT

_counter = itertools.count(1)


class _LazyStack:
    def __init__(self) -> None:
        self.dir = REPO_ROOT / ".data" / f"test-{os.getpid()}"
        self.stack = LocalStack(self.dir, fsync=False, max_connections=300)
        self.pg_started = False
        self.nats_started = False
        self.templates: set[str] = set()
        self.lock = threading.Lock()

    def postgres(self) -> LocalStack:
        with self.lock:
            if not self.pg_started:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir.mkdir(parents=True)
                self.stack.start_postgres()
                self.pg_started = True
        return self.stack

    def nats(self) -> LocalStack:
        with self.lock:
            if not self.nats_started:
                self.dir.mkdir(parents=True, exist_ok=True)
                self.stack.start_nats()
                self.nats_started = True
        return self.stack

    def template(self, service: str) -> str:
        stack = self.postgres()
        name = f"tpl_{service}"
        with self.lock:
            if name not in self.templates:
                stack.create_database(name)
                # Alembic's env runs its own event loop: keep it off the test's loop thread.
                with ThreadPoolExecutor(1) as pool:
                    pool.submit(upgrade, service, stack.database_url(name)).result()
                self.templates.add(name)
        return name

    def close(self) -> None:
        self.stack.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def stack() -> Iterator[_LazyStack]:
    lazy = _LazyStack()
    yield lazy
    lazy.close()


@pytest.fixture
def make_db(stack: _LazyStack) -> Callable[[str], str]:
    """``make_db("registry")`` -> a fresh, migrated database URL (asyncpg) for this test alone."""

    def make(service: str) -> str:
        template = stack.template(service)
        name = f"t_{service}_{os.getpid()}_{next(_counter)}"
        stack.stack.create_database(name, template=template)
        return stack.stack.database_url(name)

    return make


@pytest_asyncio.fixture
async def nats_url(stack: _LazyStack) -> AsyncIterator[str]:
    url = stack.nats().nats_url
    nc = await nats.connect(url)
    js = nc.jetstream()
    for name in [*STREAMS, DEADLETTER_STREAM]:
        try:
            # Consumers first: a durable re-created under the same name on the re-created stream
            # can otherwise come back with the old one's delivered/ack floor (seen on 2.15.1).
            for consumer in await js.consumers_info(name):
                await js.delete_consumer(name, consumer.name)
            await js.delete_stream(name)
        except Exception:
            pass  # not there yet
    await nc.close()
    yield url


@pytest.fixture
def pg_stack(stack: _LazyStack) -> LocalStack:
    """The running test cluster itself (for tests that stop and start servers)."""
    return stack.postgres()


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(autouse=True)
def _clock_runs_again_after_each_test() -> Iterator[None]:
    """A test that pins the platform clock (``clock.freeze``) leaves it running for the next."""
    yield
    clock.thaw()
    clock.set_zone(DEFAULT_TIME_ZONE)
