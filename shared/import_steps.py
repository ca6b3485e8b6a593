"""A staged import's background steps (validate, commit) and what ends one that died with its process.

A step runs in the process that answered the upload or the commit request. A crash there (kill -9,
out of memory, a node lost) ends the step with no row saying so, and the import would stay
校验中 / 提交中 for ever — its file refused as "uploaded before" while it stands. So each step holds
a PostgreSQL session advisory lock while it runs (:func:`step_running`), and a periodic job
(:func:`interrupted_imports_job`) fails an import still validating or committing whose lock nobody
holds: PostgreSQL released it with the dead process's connection. The lock, not a timeout, tells a
dead step from a slow one; ``GRACE_S`` only covers the moment between a request's commit and its
step taking the lock. A commit is one transaction, so an interrupted one left nothing in place.

That moment is real elapsed time, not the office's date: the import's ``step_started_at`` is the
database's ``now()`` when the step was asked for (``started_at``, which the clerk's elapsed time and
ETA come from, is the business clock's, which a demo or an end-to-end run pins with
``JINGZHUN_CLOCK_FROZEN_AT``), and the job compares it with the database's ``now()``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.feed.lock import advisory_key, try_advisory_lock
from shared.repository import Repository
from shared.runtime import PeriodicJob

__all__ = [
    "GRACE_S",
    "RUNNING",
    "StepInterrupted",
    "StepsRepository",
    "failure_text",
    "interrupted_imports_job",
    "step_running",
]

GRACE_S = 60.0
RUNNING = ("validating", "committing")
log = structlog.get_logger(__name__)
M = TypeVar("M")


class StepsRepository(Repository[M]):
    """The repository of a staged import (a model with ``status`` and ``step_started_at``)."""

    async def set(self, import_id: uuid.UUID, *, while_status: str | None = None, **values: Any) -> bool:
        """Update the import; with ``while_status`` only if it still has that status (False if not:
        a cancel got there first). A status in ``RUNNING`` stamps ``step_started_at`` with the
        database's clock."""
        job = self.model
        if values.get("status") in RUNNING:
            values["step_started_at"] = func.now()
        stmt = update(job).where(job.id == import_id)
        if while_status is not None:
            stmt = stmt.where(job.status == while_status)
        result = await self.session.execute(stmt.values(**values).returning(job.id))
        return result.first() is not None

    async def steps_older_than(self, grace_s: float) -> list[tuple[uuid.UUID, str]]:
        """(import id, status) of the imports validating or committing for more than ``grace_s``
        seconds of real time (the database's clock)."""
        job = self.model
        since = func.now() - timedelta(seconds=grace_s)
        stmt = select(job.id, job.status).where(job.status.in_(RUNNING), job.step_started_at < since)
        return [(r.id, r.status) for r in await self.session.execute(stmt)]


# (db, import id, status it was in, why) -> marks it failed as the service's own steps do
Fail = Callable[[Database, uuid.UUID, str, Exception], Awaitable[None]]


class StepInterrupted(Exception):
    """What an interrupted import's ``error`` says (its ``detail_zh`` where the service shows Chinese)."""

    def __init__(self, status: str) -> None:
        doing = "校验" if status == "validating" else "提交"
        self.detail_zh = f"服务在{doing}时中断（进程重启），本次导入未完成、未写入任何数据：请重新上传文件"
        super().__init__(
            f"the service stopped while this import was {status}; nothing was written: upload the file again"
        )


def failure_text(exc: Exception) -> str:
    """What a failed import's ``error`` tells the clerk: the Chinese of a domain error or of
    :class:`StepInterrupted` where it has one, else the exception as it is (at most 500 characters)."""
    return (getattr(exc, "detail_zh", None) or f"{type(exc).__name__}: {exc}")[:500]


def _key(service: str, import_id: uuid.UUID) -> int:
    return advisory_key("import-step", service, str(import_id))


@asynccontextmanager
async def step_running(db: Database, service: str, import_id: uuid.UUID) -> AsyncIterator[None]:
    """Held while one background step of the import runs."""
    async with try_advisory_lock(db, _key(service, import_id)):
        yield


def interrupted_imports_job(
    service: str,
    repository: Callable[[AsyncSession], StepsRepository[Any]],
    fail: Fail,
    interval_s: float = 30.0,
) -> PeriodicJob:
    async def run(db: Database, now: datetime) -> int:  # the grace is real time: ``now`` is not used
        async with db.transaction() as session:
            found = await repository(session).steps_older_than(GRACE_S)
        failed = 0
        for import_id, status in found:
            async with try_advisory_lock(db, _key(service, import_id)) as nobody_runs_it:
                if nobody_runs_it:
                    log.warning("import_interrupted", service=service, import_id=str(import_id), at=status)
                    await fail(db, import_id, status, StepInterrupted(status))
                    failed += 1
        return failed

    return PeriodicJob(f"{service}.imports.interrupted", interval_s, run)
