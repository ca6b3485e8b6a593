"""The database the registry benches run on."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local.stack import LocalStack
from shared.migrations import upgrade


@contextmanager
def registry_database(prefix: str) -> Iterator[tuple[Path, str]]:
    """A PostgreSQL (fsync on) under a temporary folder, the registry's database migrated in it:
    (the folder, the database URL); stopped and removed after."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    stack = LocalStack(tmp, fsync=True)
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    stack.start_postgres()
    try:
        stack.create_database("registry")
        url = stack.database_url("registry")
        upgrade("registry", url)
        yield tmp, url
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
