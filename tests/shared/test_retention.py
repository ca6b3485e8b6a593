"""Retention on real PostgreSQL: old rows go in batches, recent and unpublished rows stay, and a
pruner never waits on a row someone else holds."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import insert, select, text
from typer.testing import CliRunner

from deploy.cli import app as cli
from services.registry.settings import RegistrySettings
from shared.clock import clock
from shared.db import Database
from shared.retention import prune
from shared.runtime import ServiceRuntime
from shared.tables import idempotency_key, inbox, outbox
from tests.support import settings_for

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def _seed(db: Database) -> None:
    """7 rows of each table past its retention (defaults: 30, 400, 90 days) and a few within it."""
    rows_out = []
    for i in range(7):
        rows_out.append(("old-published", NOW - 40 * DAY - i * DAY, NOW - 40 * DAY - i * DAY))
    rows_out += [("recent-published", NOW - 29 * DAY, NOW - 29 * DAY)] * 2
    rows_out += [("old-unsent", NOW - 500 * DAY, None)] * 2  # never published: must stay
    async with db.transaction() as s:
        await s.execute(
            insert(outbox),
            [
                {
                    "id": uuid.uuid4(), "type": "registry.area.upserted.v1", "subject": kind,
                    "envelope": {"kind": kind}, "created_at": created, "published_at": published,
                }
                for kind, created, published in rows_out
            ],
        )
        await s.execute(
            insert(inbox),
            [
                {"consumer": "c", "event_id": f"old-{i}", "event_type": "t", "handled_at": NOW - 401 * DAY}
                for i in range(7)
            ]
            + [
                {"consumer": "c", "event_id": f"recent-{i}", "event_type": "t", "handled_at": NOW - 399 * DAY}
                for i in range(2)
            ],
        )
        await s.execute(
            insert(idempotency_key),
            [
                {
                    "principal": "p", "key": f"{kind}-{i}", "method": "POST", "path": "/x", "body_hash": "h",
                    "status_code": 201, "response": {}, "created_at": NOW - age * DAY,
                }
                for kind, age, n in (("old", 91, 7), ("recent", 89, 2))
                for i in range(n)
            ],
        )


async def _left(db: Database) -> dict[str, list[str]]:
    async with db.transaction() as s:
        return {
            "outbox": sorted((await s.execute(select(outbox.c.subject))).scalars()),
            "inbox": sorted(k.split("-")[0] for k in (await s.execute(select(inbox.c.event_id))).scalars()),
            "idempotency_key": sorted(
                k.split("-")[0] for k in (await s.execute(select(idempotency_key.c.key))).scalars()
            ),
        }


@pytest.mark.asyncio
async def test_old_rows_go_in_batches_recent_and_unpublished_stay(make_db) -> None:  # type: ignore[no-untyped-def]
    url = make_db("registry")
    settings = settings_for(RegistrySettings, url)
    db = Database(url, pool_size=2)
    try:
        await _seed(db)
        deleted = await prune(db, settings, NOW, batch_size=3)  # 3 + 3 + 1 per table
        assert deleted == {"outbox": 7, "inbox": 7, "idempotency_key": 7}
        assert await _left(db) == {
            "outbox": ["old-unsent", "old-unsent", "recent-published", "recent-published"],
            "inbox": ["recent", "recent"],
            "idempotency_key": ["recent", "recent"],
        }
        assert await prune(db, settings, NOW) == {"outbox": 0, "inbox": 0, "idempotency_key": 0}
        # a year and more later the recent ones go too; the unpublished rows still stay
        later = await prune(db, settings, NOW + 400 * DAY)
        assert later == {"outbox": 2, "inbox": 2, "idempotency_key": 2}
        assert (await _left(db))["outbox"] == ["old-unsent", "old-unsent"]
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_a_row_held_by_another_transaction_is_skipped_not_waited_for(make_db) -> None:  # type: ignore[no-untyped-def]
    url = make_db("registry")
    settings = settings_for(RegistrySettings, url)
    db = Database(url, pool_size=3)
    try:
        await _seed(db)
        async with db.transaction() as holder:
            await holder.execute(text("SELECT 1 FROM inbox WHERE event_id = 'old-0' FOR UPDATE"))
            started = time.monotonic()
            deleted = await asyncio.wait_for(prune(db, settings, NOW), timeout=10)
            assert time.monotonic() - started < 5
            assert deleted["inbox"] == 6  # all old rows but the held one
        assert (await prune(db, settings, NOW))["inbox"] == 1  # released: it goes next round
    finally:
        await db.dispose()


def test_retention_settings_and_the_periodic_job() -> None:
    settings = RegistrySettings()
    assert (settings.outbox_retention_days, settings.inbox_retention_days) == (30, 400)
    assert (settings.idempotency_retention_days, settings.prune_batch_size) == (90, 5000)
    # the inbox must outlive the stream (events are kept a year): a shorter setting is refused
    with pytest.raises(ValidationError):
        RegistrySettings(inbox_retention_days=365)
    runtime = ServiceRuntime(settings)
    assert "prune" in {job.name for job in runtime.jobs}


def test_prune_command(make_db) -> None:  # type: ignore[no-untyped-def]
    url = make_db("registry")

    async def seed() -> None:
        db = Database(url, pool_size=1)
        try:
            await _seed(db)
        finally:
            await db.dispose()

    asyncio.run(seed())
    with clock.frozen(NOW):  # "old" is measured from the platform clock, on any day the test runs
        result = CliRunner().invoke(cli, ["prune", "registry", "--database-url", url, "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "outbox: 7 rows deleted" in result.output
    assert "inbox: 7 rows deleted" in result.output
