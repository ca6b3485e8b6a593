"""Many clerks of one township at once: the hot counter rows stay exact and nobody deadlocks.

Registrations, new candidates, moves between two villages in both directions (A→B and B→A at
the same moment, the classic opposite lock order), splits and merges of households with different
poverty causes all run concurrently against real PostgreSQL. Every request must succeed or get a
documented problem+json (409 for the one pair built to conflict), PostgreSQL must report no
deadlock, and every maintained counter must equal a recount of the household table.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request

from services.registry.app import create_app
from services.registry.models import RollupCounter
from services.registry.settings import RegistrySettings
from shared.clock import clock
from tests.registry.integration.helpers import (
    APPROVER,
    COUNTY,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    identify,
    load_areas,
    member,
    on_day,
    person_id,
)
from tests.registry.integration.test_move import recount_matches_counters
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

CLERK = auth("registrar", COUNTY)  # holds both villages (moves need both)
CAUSES = [["illness"], ["schooling", "disability"], ["lack_of_funds"], ["disability", "illness"]]
BATCHES = [["production_employment"], ["education"], ["dibao_floor"]]
TODAY = clock.today()
Call = Callable[[], Awaitable[httpx.Response]]


def _household(village: str, i: int) -> dict[str, Any]:
    kids = [member("child", name=f"子{i}{k}", resident_id=person_id()) for k in range(2)]
    return {
        "area_code": village,
        "year": 2017,
        "registered_on": "2017-06-30",
        "members": [member("head", name=f"户主{i}"), *kids],
        "poverty_causes": CAUSES[i % len(CAUSES)],
        "batches": BATCHES[i % len(BATCHES)],
    }


async def _confirmed(c: httpx.AsyncClient, village: str, i: int) -> str:
    body = {
        "area_code": village,
        "year": 2018,
        "members": [member("head", name=f"候选{i}"), member("spouse", resident_id=person_id(sex="female"))],
        "poverty_causes": CAUSES[(i + 1) % len(CAUSES)],
        "batches": BATCHES[i % len(BATCHES)],
    }
    start = clock.today() - timedelta(days=10)
    eve = start - timedelta(days=1)
    with on_day(eve):  # entered and reviewed 11 days ago, on notice from the next day
        r = await c.post("/registry/v1/households", json=body, headers=CLERK)
        assert r.status_code == 201, r.text
    created = r.json()
    # the household signs its own confirmation
    await identify(c, created, clerk=CLERK, notice_from=start, until="confirmation")
    return str(created["id"])


async def _registered_in(c: httpx.AsyncClient, village: str) -> list[dict[str, Any]]:
    r = await c.get(
        "/registry/v1/households",
        params={"area_code": village, "status": "registered", "limit": 200},
        headers=CLERK,
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def setup_township(c: httpx.AsyncClient, *, per_village: int, confirmed: int) -> dict[str, Any]:
    """Registered households (3 persons, varied causes) in both villages, plus confirmed ones."""
    await load_areas(c)
    rows = [_household(v, i) for v in (VILLAGE, OTHER_VILLAGE) for i in range(per_village)]
    r = await c.post(
        "/registry/v1/households/imports",
        json={"households": rows, "source_roll": "赤水镇2017年花名册", "reason": "历史数据迁移"},
        headers=APPROVER,
    )
    assert r.status_code == 200, r.text
    ready = [await _confirmed(c, v, i) for v in (VILLAGE, OTHER_VILLAGE) for i in range(confirmed // 2)]
    return {
        "A": await _registered_in(c, VILLAGE),
        "B": await _registered_in(c, OTHER_VILLAGE),
        "confirmed": ready,
    }


async def members_of(c: httpx.AsyncClient, household_id: str) -> list[dict[str, Any]]:
    r = await c.get(f"/registry/v1/households/{household_id}", headers=CLERK)
    assert r.status_code == 200, r.text
    return list(r.json()["members"])


def _post(c: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str]) -> Call:
    return lambda: c.post(f"/registry/v1{path}", json=body, headers=headers)


def _move(c: httpx.AsyncClient, hid: str, to: str) -> Call:
    body = {"to_area_code": to, "reason": "relocation", "moved_on": TODAY.isoformat()}
    return _post(c, f"/households/{hid}/move", body, CLERK)


def _merge(c: httpx.AsyncClient, hid: str, into: str) -> Call:
    return _post(c, f"/households/{hid}/merge", {"into_household_id": into, "reason": "合户"}, CLERK)


async def workload(c: httpx.AsyncClient, town: dict[str, Any]) -> tuple[dict[str, Call], set[str]]:
    """40 requests: 38 independent ones and one pair that must conflict (exactly one 409)."""
    a, b = [h["id"] for h in town["A"]], [h["id"] for h in town["B"]]
    calls: dict[str, Call] = {}
    for i, hid in enumerate(town["confirmed"]):  # 8 registrations (status + entries flow)
        calls[f"register-{i}"] = _post(c, f"/households/{hid}/registration", None, APPROVER)
    for i, village in enumerate([VILLAGE, OTHER_VILLAGE] * 3):  # 6 new candidates
        body = {
            "area_code": village,
            "year": 2018,
            "members": [member("head", name=f"新户{i}")],
            "poverty_causes": CAUSES[i % len(CAUSES)],
        }
        calls[f"candidate-{i}"] = _post(c, "/households", body, CLERK)
    for i in range(5):  # 10 moves, both directions at once
        calls[f"move-AB-{i}"] = _move(c, a[i], OTHER_VILLAGE)
        calls[f"move-BA-{i}"] = _move(c, b[i], VILLAGE)
    for side, ids in (("A", a), ("B", b)):
        for i, hid in enumerate(ids[5:8]):  # 6 splits: one child leaves
            kids = [m["id"] for m in await members_of(c, hid) if m["relation"] == "child"]
            body = {"member_ids": kids[:1], "new_head_id": kids[0], "reason": "分户"}
            calls[f"split-{side}-{i}"] = _post(c, f"/households/{hid}/split", body, CLERK)
        for i in range(4):  # 8 merges between households of different causes
            calls[f"merge-{side}-{i}"] = _merge(c, ids[8 + 2 * i], ids[9 + 2 * i])
    # the conflicting pair: Y moves away while it merges into X; whichever locks Y second is refused
    # (after the move the two are in different villages; after the merge Y is removed)
    x, y = a[16], a[17]
    calls["conflict-move"] = _move(c, y, OTHER_VILLAGE)
    calls["conflict-merge"] = _merge(c, y, x)
    return calls, {"conflict-move", "conflict-merge"}


async def deadlocks(app: Any) -> int:
    """PostgreSQL's own count for this database (a backend flushes its statistics when it exits)."""
    await app.state.db.engine.dispose()
    await asyncio.sleep(0.3)
    async with app.state.db.transaction() as s:
        await s.execute(text("SELECT pg_stat_clear_snapshot()"))
        got = await s.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        )
        return int(got.scalar_one())


async def run_round(c: httpx.AsyncClient, app: Any) -> dict[str, httpx.Response]:
    town = await setup_township(c, per_village=20, confirmed=8)
    calls, conflicting = await workload(c, town)
    assert len(calls) == 40
    before = await deadlocks(app)
    answers = await asyncio.gather(*(call() for call in calls.values()))
    got = dict(zip(calls, answers, strict=True))
    for name, r in got.items():
        assert r.status_code != 500, (name, r.text)
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), (name, r.text)
            assert r.status_code in (409, 503), (name, r.text)
        if r.status_code == 503:
            assert r.headers.get("Retry-After"), (name, r.headers)
    refused = {n for n, r in got.items() if r.status_code >= 400}
    assert not refused - conflicting, {n: got[n].text for n in refused - conflicting}
    assert len(refused) == 1, {n: got[n].text for n in refused}
    assert got[refused.pop()].status_code == 409
    assert await deadlocks(app) == before, "PostgreSQL detected a deadlock"
    return got


async def test_concurrent_clerks_keep_counters_exact_and_never_deadlock(make_db):
    # 40 requests at once: a pool of 25 (+25 overflow) so none waits for a connection
    app = create_app(settings_for(RegistrySettings, make_db("registry"), db_pool_size=25))
    async with service_client(app) as c:
        await run_round(c, app)
        await recount_matches_counters(app)
        reader = auth("auditor", COUNTY)
        town = (await c.get(f"/registry/v1/rollups/{TOWN}?year=2018", headers=reader)).json()
        # flows: 40 imported (3 persons) in 2017 and 8 registered (2 persons) for 2018 — moves stay in town
        assert town["entries_by_year"] == {
            "2017": {"households": 40, "persons": 120},
            "2018": {"households": 8, "persons": 16},
        }
        async with app.state.db.transaction() as s:
            rows = (await s.execute(select(RollupCounter).where(RollupCounter.households < 0))).scalars()
            assert not list(rows), "a counter went negative"
        statuses = Counter({k: v["households"] for k, v in town["by_status"].items()})
        assert statuses["candidate"] == 6
        assert statuses["removed"] in (8, 9)  # 8 merges, plus the conflicting merge if it won
        assert statuses["registered"] + statuses["removed"] == 40 + 8 + 6  # imported, registered, split off


class _Deadlock(Exception):
    sqlstate = "40P01"


async def test_a_deadlock_victim_gets_503_try_again_with_retry_after():
    """Should a deadlock or serialization failure still happen, the client is told to resend."""
    app = create_app(settings_for(RegistrySettings, "postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    scope = {"type": "http", "method": "POST", "path": "/registry/v1/households", "headers": []}
    exc = DBAPIError("UPDATE rollup_counter ...", None, _Deadlock("deadlock detected"))
    r = await app.exception_handlers[DBAPIError](Request(scope), exc)
    body = json.loads(bytes(r.body))
    assert (r.status_code, r.headers["Retry-After"], body["type"].rsplit("/", 1)[-1]) == (
        503,
        "1",
        "try-again",
    )
    assert r.headers["content-type"] == "application/problem+json"
