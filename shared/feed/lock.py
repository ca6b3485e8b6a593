"""One deliverer per subscription across replicas: a PostgreSQL session advisory lock."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy import text

from shared.db import Database

__all__ = ["advisory_key", "try_advisory_lock"]

log = structlog.get_logger(__name__)


def advisory_key(*parts: str) -> int:
    """A stable signed 64-bit key (what pg_try_advisory_lock takes) from names."""
    digest = hashlib.sha256(":".join(("jingzhun", *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def try_advisory_lock(db: Database, key: int) -> AsyncIterator[bool]:
    """Yields True while this process holds the lock, False when another session has it.

    The lock lives on one pooled connection in autocommit (no transaction stays open while
    webhooks are posted). If unlocking fails the connection is discarded, which frees the lock:
    a pooled connection must never carry it on to someone else.
    """
    async with db.engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
        held = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})).scalar_one())
        try:
            yield held
        finally:
            if held:
                try:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                except Exception as exc:  # connection broken: closing it releases the lock
                    log.warning("feed_unlock_failed", error=repr(exc))
                    await raw.invalidate()
