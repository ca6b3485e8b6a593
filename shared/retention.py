"""Retention: the platform tables that grow with every request and event are pruned in batches.

- ``outbox``: rows published more than ``outbox_retention_days`` ago (JetStream has them; a row
  not yet published is never deleted, whatever its age);
- ``inbox``: rows handled more than ``inbox_retention_days`` ago (longer than the stream keeps
  events, so a redelivery or a replay from the stream still finds its row and changes nothing);
- ``idempotency_key``: keys stored more than ``idempotency_retention_days`` ago.

Each batch is one short transaction deleting at most ``prune_batch_size`` rows picked through an
index with ``FOR UPDATE SKIP LOCKED`` (so two pruners, or a pruner and the relay, never wait on
each other) under a statement timeout. The audit log is never pruned.
Runs as the periodic job ``prune`` and as ``jingzhun prune <service>``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Table, delete, select, text, tuple_

from shared.db import Database
from shared.settings import ServiceSettings
from shared.tables import idempotency_key, inbox, outbox

__all__ = ["PruneRule", "prune", "prune_job", "rules_for"]

log = structlog.get_logger(__name__)
STATEMENT_TIMEOUT = "30s"


@dataclass(frozen=True)
class PruneRule:
    table: Table
    older_than: timedelta
    when: Callable[[datetime], ColumnElement[bool]]  # cutoff -> which rows are old enough


def rules_for(settings: ServiceSettings) -> list[PruneRule]:
    return [
        PruneRule(
            outbox,
            timedelta(days=settings.outbox_retention_days),
            lambda cutoff: outbox.c.published_at.isnot(None) & (outbox.c.published_at < cutoff),
        ),
        PruneRule(
            inbox, timedelta(days=settings.inbox_retention_days), lambda cutoff: inbox.c.handled_at < cutoff
        ),
        PruneRule(
            idempotency_key,
            timedelta(days=settings.idempotency_retention_days),
            lambda cutoff: idempotency_key.c.created_at < cutoff,
        ),
    ]


async def _prune_batch(db: Database, rule: PruneRule, cutoff: datetime, batch_size: int) -> int:
    key = tuple_(*rule.table.primary_key.columns)
    victims = (
        select(*rule.table.primary_key.columns)
        .where(rule.when(cutoff))
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    async with db.transaction() as session:
        await session.execute(text(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'"))
        result = await session.execute(delete(rule.table).where(key.in_(victims)))
    return int(getattr(result, "rowcount", 0) or 0)


async def prune(
    db: Database,
    settings: ServiceSettings,
    now: datetime,
    *,
    batch_size: int | None = None,
    max_batches: int | None = None,
) -> dict[str, int]:
    """Delete what retention no longer keeps, batch after batch; returns rows deleted per table.

    ``max_batches`` (per table) bounds one run, so a first prune of a large backlog is spread over
    several rounds of the job.
    """
    size = batch_size or settings.prune_batch_size
    deleted: dict[str, int] = {}
    for rule in rules_for(settings):
        cutoff = now - rule.older_than
        total, batches = 0, 0
        while max_batches is None or batches < max_batches:
            n = await _prune_batch(db, rule, cutoff, size)
            total += n
            batches += 1
            if n < size:
                break
        deleted[rule.table.name] = total
    if any(deleted.values()):
        log.info("pruned", **deleted)
    return deleted


def prune_job(settings: ServiceSettings) -> Callable[[Database, datetime], Awaitable[object]]:
    async def run(db: Database, now: datetime) -> object:
        return await prune(db, settings, now, max_batches=100)

    return run
