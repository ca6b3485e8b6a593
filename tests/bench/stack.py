"""The database a bench runs on."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local.stack import LocalStack
from shared.migrations import upgrade


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
