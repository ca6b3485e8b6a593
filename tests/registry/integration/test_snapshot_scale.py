"""The snapshot of a large province (make test-slow): time, memory and size of the NDJSON stream.

Households and members are inserted with SQL (generate_series), not through the use cases: this
measures the snapshot's read, not the import. REGISTRY_SNAPSHOT_N sets the households (default
200,000; 1,000,000 for the figure in docs/FEED.md), each with 3 members.
"""

from __future__ import annotations

import os
import resource
import time
import zlib

import pytest
from sqlalchemy import text

from services.registry.snapshot import service as snapshot_service
from tests.registry.integration.helpers import load_areas, registry_app
from tests.support import service_client

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
N = int(os.environ.get("REGISTRY_SNAPSHOT_N", "200000"))
VILLAGES = ("440783101201", "440783101202")

_HOUSEHOLDS = """
INSERT INTO household (id, area_code, status, year, head_name, member_count, poverty_causes, batches,
                       dibao, five_guarantee, basic_needs, income_channels, version)
SELECT md5('h' || i)::uuid, CASE WHEN i % 2 = 0 THEN :v1 ELSE :v2 END, 'registered', 2017, '户' || i, 3,
       ARRAY['illness'], ARRAY['industry'], false, false, '{}'::jsonb, ARRAY[]::varchar[], 1
FROM generate_series(1, :n) AS i
"""
_MEMBERS = """
INSERT INTO member (id, household_id, name, resident_id_cipher, resident_id_hash, resident_id_masked,
                    birth_date, sex, relation, labour_capacity, in_school, migrant_work, active,
                    holds_identity)
SELECT md5('m' || i || '-' || k)::uuid, md5('h' || i)::uuid, '户' || i, 'x', md5('m' || i || '-' || k),
       '440783********' || lpad((i % 10000)::text, 4, '0'), DATE '1970-01-01', 'male',
       CASE WHEN k = 0 THEN 'head' ELSE 'child' END, 'full', false, false, true, true
FROM generate_series(1, :n) AS i, generate_series(0, 2) AS k
"""


async def test_snapshot_of_a_large_registry_streams_in_flat_memory(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        t0 = time.perf_counter()
        async with app.state.db.transaction() as session:
            await session.execute(text(_HOUSEHOLDS), {"n": N, "v1": VILLAGES[0], "v2": VILLAGES[1]})
            await session.execute(text(_MEMBERS), {"n": N})
        async with app.state.db.engine.connect() as conn:
            await conn.execute(text("ANALYZE household"))
            await conn.execute(text("ANALYZE member"))
        load_s = time.perf_counter() - t0

        async def no_stream() -> int:
            return 0

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        gz = zlib.compressobj(6, zlib.DEFLATED, 31)
        raw = packed = lines = reflected = 0
        t0 = time.perf_counter()
        async for chunk in snapshot_service.lines(
            app.state.db.engine, prefix="44", stream_last_seq=no_stream
        ):
            raw += len(chunk)
            packed += len(gz.compress(chunk))
            lines += chunk.count(b"\n")
            reflected += chunk.count(b'"kind": "reflected"')  # the areas' unpublished events
        packed += len(gz.flush())
        took = time.perf_counter() - t0
        rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        print(
            f"\nsnapshot of {N:,} households / {3 * N:,} members: load {load_s:.1f} s; stream {took:.1f} s "
            f"({lines / took:,.0f} lines/s); {raw / 1e6:.1f} MB NDJSON, {packed / 1e6:.1f} MB gzip; "
            f"max RSS grew {rss_growth_mb:.0f} MB"
        )
        assert lines == 1 + 6 + N + 3 * N + reflected + 1
        assert rss_growth_mb < 200  # streamed with server-side cursors, not held in memory
