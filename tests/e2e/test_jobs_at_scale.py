"""Every periodic job of every service, over a province of 100,000 households, on real PostgreSQL.

The households reach each service the way the consumers apply an import: 100,000
``registry.household.registered.v1`` events (and the 1,000 villages' area events) given to each
service's real handlers (``HANDLERS``; the set-based runs a consumer applies a fetch with),
2,000 per transaction, and as many ``pairing.visit.recorded.v2`` events (the version pairing
publishes, with the household's answer) to the registry's timeline and inspection. Then each
service's jobs, as its runtime runs them (its own ``JOBS`` plus the audit seal and the retention
prune), run once each: every one finishes and records what it did. A job
that held a lock per row in one transaction (the coverage check's ``out of shared memory`` at
50,000 households) or read a province's rows into memory at once fails or crawls here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.clock import clock
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import Batched
from shared.runtime import ServiceRuntime
from shared.tables import audit_checkpoint, audit_log, outbox
from tests.support import settings_for

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

N = 100_000
PER_VILLAGE = 100
CHUNK = 2_000
REGISTERED = "registry.household.registered.v1"
AREA = "registry.area.upserted.v1"
VISIT = "pairing.visit.recorded.v2"  # what pairing publishes (v1 is still read)
ANSWERS = ("satisfied", "basically_satisfied", "dissatisfied", None)  # None: not asked
JOB_TIMEOUT_S = 900


def _village(i: int) -> str:
    v = i // PER_VILLAGE  # 1,000 villages: 10 counties x 10 townships x 10 villages
    return f"4401{1 + v // 100:02d}{1 + v // 10 % 10:03d}{1 + v % 10:03d}"


def _id(kind: str, i: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"scale-{kind}-{i}"))


def _event(source: str, type_: str, subject: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(source=f"jingzhun/{source}", type=type_, subject=subject, data=data)


def _areas() -> list[CloudEvent]:
    codes = sorted({_village(i) for i in range(0, N, PER_VILLAGE)})
    return [
        _event(
            "registry", AREA, c, {"code": c, "name": f"村{c[-6:]}", "level": "village", "poor_village": True}
        )
        for c in codes
    ]


def _households(start: int, stop: int) -> list[CloudEvent]:
    return [
        _event(
            "registry",
            REGISTERED,
            _id("h", i),
            {
                "household_id": _id("h", i),
                "household_number": f"H{i:09d}",
                "area_code": _village(i),
                "year": 2026,
                "member_count": 3,
                "member_ids": [_id(f"m{k}", i) for k in range(3)],
                "head_name_masked": "王*",
                "registered_on": "2026-03-01",
                "origin": "import",
            },
        )
        for i in range(start, stop)
    ]


def _visits(start: int, stop: int) -> list[CloudEvent]:
    return [
        _event(
            "pairing",
            VISIT,
            _id("h", i),
            {
                "visit_id": _id("v", i),
                "household_id": _id("h", i),
                "area_code": _village(i),
                "cadre_id": _id("c", i // 5),
                "visited_on": "2026-11-20",
                "satisfaction": ANSWERS[i % len(ANSWERS)],
            },
        )
        for i in range(start, stop)
    ]


async def _apply(db: Database, handlers: dict[str, Any], events: Sequence[CloudEvent]) -> None:
    """What a consumer does with a fetch of these events (the inbox aside): one transaction."""
    handler = handlers[events[0].type]
    async with db.transaction() as session:
        if isinstance(handler, Batched):
            await handler.many(session, events)
        else:
            for event in events:
                await handler(session, event)


async def _load(db: Database, handlers: dict[str, Any], make: Callable[[int, int], list[CloudEvent]]) -> None:
    for start in range(0, N, CHUNK):
        await _apply(db, handlers, make(start, min(start + CHUNK, N)))


async def _count(db: Database, stmt: Any) -> int:
    async with db.transaction() as s:
        return int((await s.execute(stmt)).scalar_one())


async def _run_jobs(service: str, url: str) -> dict[str, object]:
    """Each job of the service's runtime once; what each returned."""
    app = __import__(f"services.{service}.app", fromlist=["JOBS"])
    settings = settings_for(app.settings_class, url, audit_seal_settle_s=0)
    db = Database(url)
    runtime = ServiceRuntime(settings, handlers=app.HANDLERS, jobs=list(app.JOBS), db=db)
    results: dict[str, object] = {}
    try:
        for job in runtime.jobs:
            now = clock.now() + timedelta(seconds=1)
            results[job.name] = await asyncio.wait_for(job.run(db, now), timeout=JOB_TIMEOUT_S)
    finally:
        await db.dispose()
    return results


async def test_every_job_finishes_over_a_province_of_100_000_households(
    make_db: Callable[[str], str],
) -> None:
    urls = {s: make_db(s) for s in ("registry", "pairing", "funds", "inspection")}
    handlers = {s: dict(__import__(f"services.{s}.consumers", fromlist=["HANDLERS"]).HANDLERS) for s in urls}
    for service in ("pairing", "funds", "inspection"):
        db = Database(urls[service])
        try:
            await _apply(db, handlers[service], _areas())
            await _load(db, handlers[service], _households)
            if service == "inspection":
                await _load(db, handlers[service], _visits)
        finally:
            await db.dispose()
    registry = Database(urls["registry"])
    try:
        await _load(registry, handlers["registry"], _households)  # DCI: no subscriber hears them
        await _load(registry, handlers["registry"], _visits)  # the timeline
    finally:
        await registry.dispose()

    for service, url in urls.items():
        results = await _run_jobs(service, url)
        db = Database(url)
        try:
            # the seal covers every audit row there is (the import's and the jobs' own)
            sealed = await _count(db, select(func.coalesce(func.sum(audit_checkpoint.c.row_count), 0)))
            assert sealed == await _count(db, select(func.count()).select_from(audit_log)), service
            if service == "pairing":
                check = results["pairing.coverage_check"]
                assert check.opened >= N  # type: ignore[attr-defined]
                gaps = (
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.subject.like("pairing:household_without_cadre:%"))
                )
                assert await _count(db, gaps) == N  # each household without a cadre, once
            if service == "funds":
                assert results["funds-supervision"] == 0  # nothing paid: nothing to find
            if service == "inspection":
                assert results["escalate-overdue-findings"] == 0
        finally:
            await db.dispose()
        assert set(results) >= {"audit-seal", "prune"}, service
