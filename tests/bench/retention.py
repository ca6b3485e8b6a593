"""Disk use of the platform tables for a year of a province's traffic, before and after pruning.

    .venv/bin/python -m tests.bench retention --events 150000

Loads one year of a 1/100 sample of the province model below into a fresh, migrated database on
real PostgreSQL (rows spread evenly over the year, real envelopes and keys as the code writes
them), measures ``pg_total_relation_size`` (heap + TOAST + indexes) per table, prunes at the end
of the year with the default retention (shared.retention), and measures again after VACUUM FULL
(what the tables hold in steady state: in production autovacuum makes the freed space reusable, so
the files stop growing at that size instead of shrinking). Figures are scaled back up by 100.

Province model (per year; a large province, about 600,000 households on file):
  events written (outbox rows)          15,000,000  visits monthly 7.2 M, registry 4 M, funds 2.4 M, rest
  events handled (inbox rows)           18,000,000  registry's events are consumed by three services
  idempotency keys (writes with a key)  15,000,000
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from deploy.local.stack import LocalStack
from services.pairing.settings import PairingSettings
from shared.db import Database
from shared.events.envelope import CloudEvent
from shared.migrations import upgrade
from shared.retention import prune
from tests.support import settings_for

SCALE = 100
PER_YEAR = {"outbox": 15_000_000, "inbox": 18_000_000, "idempotency_key": 15_000_000}
YEAR_END = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def _envelope() -> str:
    event = CloudEvent(
        source="jingzhun/pairing",
        type="pairing.visit.recorded.v2",
        subject="440783101201",
        data={
            "visit_id": str(uuid.uuid4()),
            "household_id": str(uuid.uuid4()),
            "area_code": "440783101201",
            "cadre_id": str(uuid.uuid4()),
            "visited_on": "2026-06-01",
            "kind": "home_visit",
            "satisfaction": "satisfied",
        },
        requestid=uuid.uuid4().hex,
    )
    return json.dumps(event.model_dump(mode="json", exclude_none=True), ensure_ascii=False)


LOAD = {
    # the relay marks a row published about when it was written
    "outbox": """
INSERT INTO outbox (id, type, subject, envelope, request_id, created_at, published_at)
SELECT gen_random_uuid(), 'pairing.visit.recorded.v2', '440783101201',
       jsonb_set(CAST(:envelope AS jsonb), '{id}', to_jsonb(gen_random_uuid()::text)),
       md5(g::text), t, t
FROM generate_series(1, CAST(:n AS bigint)) AS g,
     LATERAL (SELECT CAST(:start AS timestamptz) + (g * CAST(:step AS interval)) AS t) AS at_
""",
    "inbox": """
INSERT INTO inbox (consumer, event_id, event_type, handled_at)
SELECT (ARRAY['funds-from-registry', 'pairing-from-registry', 'inspection-from-pairing'])[1 + g % 3],
       gen_random_uuid()::text, 'pairing.visit.recorded.v2',
       CAST(:start AS timestamptz) + (g * CAST(:step AS interval))
FROM generate_series(1, CAST(:n AS bigint)) AS g
""",
    "idempotency_key": """
INSERT INTO idempotency_key (principal, key, method, path, body_hash, status_code, response, created_at)
SELECT 'cadre-' || (g % 5000), gen_random_uuid()::text, 'POST',
       '/pairing/v1/households/' || gen_random_uuid() || '/visits', md5(g::text), 201,
       CAST(:response AS jsonb), CAST(:start AS timestamptz) + (g * CAST(:step AS interval))
FROM generate_series(1, CAST(:n AS bigint)) AS g
""",
}
RESPONSE = json.dumps(
    {
        "id": str(uuid.uuid4()),
        "household_id": str(uuid.uuid4()),
        "cadre_id": str(uuid.uuid4()),
        "visited_on": "2026-06-01",
        "kind": "home_visit",
        "notes": "了解生产生活情况，落实帮扶措施",
        "recorded_at": "2026-06-01T10:00:00+08:00",
    },
    ensure_ascii=False,
)


async def _sizes(db: Database) -> dict[str, int]:
    async with db.transaction() as s:
        return {
            t: int((await s.execute(text(f"SELECT pg_total_relation_size('{t}')"))).scalar_one())
            for t in PER_YEAR
        }


async def _vacuum(db: Database, full: bool) -> None:
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for t in PER_YEAR:
            await conn.execute(text(f"VACUUM {'FULL ' if full else ''}ANALYZE {t}"))


async def run(events: int) -> dict[str, object]:
    scale = max(1, PER_YEAR["outbox"] // events) if events else SCALE
    tmp = Path(tempfile.mkdtemp(prefix="jz-bench-retention-"))
    stack = LocalStack(tmp, fsync=False)
    try:
        stack.start_postgres()
        stack.create_database("bench")
        url = stack.database_url("bench")
        await asyncio.to_thread(upgrade, "pairing", url)  # Alembic runs its own event loop
        db = Database(url, pool_size=2)
        settings = settings_for(PairingSettings, url)
        start = YEAR_END - timedelta(days=365)
        async with db.transaction() as s:
            for table, sql in LOAD.items():
                n = PER_YEAR[table] // scale
                step = timedelta(days=365) / n
                await s.execute(
                    text(sql),
                    {"n": n, "start": start, "step": step, "envelope": _envelope(), "response": RESPONSE}
                    if table != "inbox"
                    else {"n": n, "start": start, "step": step},
                )
        await _vacuum(db, full=False)
        before = await _sizes(db)
        deleted = await prune(db, settings, YEAR_END)
        await _vacuum(db, full=True)
        after = await _sizes(db)
        await db.dispose()
        out: dict[str, object] = {"scale_up": scale}
        for t in PER_YEAR:
            rows = PER_YEAR[t] // scale
            out[f"{t}.bytes_per_row"] = round(before[t] / rows, 1)
            out[f"{t}.year_mb_unpruned"] = round(before[t] * scale / 2**20, 1)
            out[f"{t}.deleted_rows_scaled"] = deleted[t] * scale
            out[f"{t}.steady_mb_pruned"] = round(after[t] * scale / 2**20, 1)
        out["total.year_mb_unpruned"] = round(sum(before.values()) * scale / 2**20, 1)
        out["total.steady_mb_pruned"] = round(sum(after.values()) * scale / 2**20, 1)
        return out
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
