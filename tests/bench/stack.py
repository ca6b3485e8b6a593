"""The database a bench runs on."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local.stack import LocalStack
from shared.migrations import upgrade
from tests.support import TEST_PUBLIC_KEY


@contextmanager
def service_database(service: str, prefix: str) -> Iterator[tuple[LocalStack, str]]:
    """A PostgreSQL (fsync on) under a temporary folder (``stack.data_dir``), the service's database
    migrated in it: (the stack, the database URL); stopped and removed after."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    stack = LocalStack(tmp, fsync=True)
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    stack.start_postgres()
    try:
        stack.create_database(service)
        url = stack.database_url(service)
        upgrade(service, url)
        yield stack, url
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def registry_database(prefix: str) -> Iterator[tuple[Path, str]]:
    """The registry's: (the folder, the database URL)."""
    with service_database("registry", prefix) as (stack, url):
        yield stack.data_dir, url


def registry_env(url: str, *, log_level: str = "WARNING", **extra: str) -> dict[str, str]:
    """The environment of a registry uvicorn process on ``url`` without NATS (relay, consumers and
    jobs off), test tokens accepted; ``extra``: further REGISTRY_ settings."""
    return {
        **os.environ,
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_JWT_PUBLIC_KEY_PEM": TEST_PUBLIC_KEY,
        "REGISTRY_RUN_RELAY": "false",
        "REGISTRY_RUN_CONSUMERS": "false",
        "REGISTRY_RUN_JOBS": "false",
        "REGISTRY_LOG_LEVEL": log_level,
        **extra,
    }
