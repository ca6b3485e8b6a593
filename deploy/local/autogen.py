"""Autogenerate an Alembic revision for one service against a throwaway PostgreSQL.

    .venv/bin/python -m deploy.local.autogen funds "add ledger tables"

Starts a private PostgreSQL, migrates the service's database to head, compares it with
``services/<svc>/models.py`` and writes ``services/<svc>/migrations/versions/YYYY-MM-DD-HHMM_slug.py``.
Read the generated file before committing it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from deploy.local.stack import LocalStack
from shared.migrations import revision, upgrade


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m deploy.local.autogen <service> <message>")
    service, message = sys.argv[1], sys.argv[2]
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-autogen-"))
    stack = LocalStack(tmp, fsync=False, max_connections=300)
    try:
        stack.data_dir.mkdir(parents=True, exist_ok=True)
        stack.start_postgres()
        stack.create_database("autogen")
        url = stack.database_url("autogen")
        upgrade(service, url)
        revision(service, url, message)
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
