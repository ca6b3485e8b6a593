"""Init container of every API and worker pod: wait until the service's database schema is ready.

Usage (inside the jingzhun image): ``python /scripts/wait_for_schema.py <service>``; the database URL
comes from ``<SERVICE>_DATABASE_URL`` (or ``DATABASE_URL``). Exits 0 as soon as the database's
Alembic revision is this code's head, or a revision this code does not know (a newer release has
already migrated: expand/contract migrations keep the previous release working). Exits 1 after
``SCHEMA_WAIT_TIMEOUT_S`` (default 900) if the schema is still missing or behind. The migration
itself is the ``<service>-migrate`` Job; this only waits for it, so replicas never race to migrate.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from alembic.script import ScriptDirectory
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import to_async_url
from shared.migrations import alembic_config


def schema_state(*, heads: set[str], known: set[str], current: set[str]) -> str:
    """``empty`` (never migrated), ``ready`` (at head), ``ahead`` (newer release) or ``behind``."""
    if not current:
        return "empty"
    if current == heads:
        return "ready"
    if current - known:
        return "ahead"
    return "behind"


async def current_revisions(url: str) -> set[str]:
    engine = create_async_engine(to_async_url(url), poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            if not await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL")):
                return set()
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


def log(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


def wait(service: str, url: str, *, timeout_s: float, interval_s: float = 3.0) -> int:
    script = ScriptDirectory.from_config(alembic_config(service, url))
    heads = set(script.get_heads())
    known = {rev.revision for rev in script.walk_revisions()}
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            current = asyncio.run(current_revisions(url))
            state = schema_state(heads=heads, known=known, current=current)
        except Exception as exc:  # database not reachable yet: keep waiting
            current, state = set(), f"unreachable: {type(exc).__name__}"
        if state in ("ready", "ahead"):
            log("schema_ready", service=service, state=state, current=sorted(current), heads=sorted(heads))
            return 0
        if time.monotonic() >= deadline:
            log("schema_wait_timeout", service=service, state=state, current=sorted(current),
                heads=sorted(heads))
            return 1
        log("schema_waiting", service=service, state=state, current=sorted(current), heads=sorted(heads))
        time.sleep(interval_s)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: wait_for_schema.py <service>", file=sys.stderr)
        return 2
    service = argv[1]
    url = os.environ.get(f"{service.upper()}_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        print(f"set {service.upper()}_DATABASE_URL", file=sys.stderr)
        return 2
    return wait(service, url, timeout_s=float(os.environ.get("SCHEMA_WAIT_TIMEOUT_S", "900")))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
