"""The raw ceiling the ratio bench compares against: a bare FastAPI + asyncpg app on the registry's
own database and tables, doing the least SQL each path needs (no auth, no ORM, no middleware).

    BARE_DATABASE_URL=postgresql://... uvicorn tests.bench.bare_app:app

``BARE_RESET=lean``: the honest ceiling. asyncpg's pool resets every connection it takes back with a
round trip (``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``: a tenth of a
card read's CPU here), undoing session state this app never makes (no SET, LISTEN, cursor or
advisory lock). Lean, a connection goes back as it is, or rolled back if a transaction is still
open on it (asyncpg's own check, no round trip otherwise): the fastest correct bare app. Unset
(``full``): asyncpg's default reset, the ceiling the ratios were first measured against.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ["BARE_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    size = int(os.environ.get("BARE_POOL", "10"))
    lean = os.environ.get("BARE_RESET", "full") == "lean"
    app.state.pool = await asyncpg.create_pool(
        url, min_size=4, max_size=size, reset=_nothing_to_undo if lean else None
    )
    try:
        yield
    finally:
        await app.state.pool.close()


async def _nothing_to_undo(_conn: asyncpg.Connection) -> None:
    """The pool's reset after its own rollback of an open transaction: this app sets nothing else."""


app = FastAPI(lifespan=_lifespan)


@app.get("/card/{household_id}")
async def card(household_id: uuid.UUID, request: Request) -> dict[str, Any]:
    row = await request.app.state.pool.fetchrow(
        "SELECT id, area_code, status, head_name, member_count FROM household WHERE id = $1", household_id
    )
    return dict(row) if row else {}


@app.get("/rollup/{prefix}")
async def rollup(prefix: str, request: Request) -> list[dict[str, Any]]:
    rows = await request.app.state.pool.fetch(
        "SELECT dimension, key, households, persons FROM rollup_counter WHERE area_prefix = $1", prefix
    )
    return [dict(r) for r in rows]


@app.get("/list/{prefix}")
async def page(prefix: str, request: Request) -> list[dict[str, Any]]:
    rows = await request.app.state.pool.fetch(
        # the columns the registry's page shows (its LIST_COLUMNS), so both send the same page's data
        "SELECT id, household_number, area_code, status, year, head_name, member_count, poverty_causes,"
        " batches, dibao FROM household "
        # read off ix_household_area_code_id in order (text_pattern_ops), as the registry's page is:
        # ``ORDER BY area_code, id`` sorts the whole county on every page
        "WHERE area_code LIKE $1 || '%' ORDER BY area_code USING ~<~, id LIMIT 50",
        prefix,
    )
    return [dict(r) for r in rows]


@app.post("/households", status_code=201)
async def register(request: Request) -> dict[str, str]:
    """A household, its members and one outbox row in one transaction: what a registration must write."""
    body = await request.json()
    hid = uuid.uuid4()
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO household (id, area_code, status, year, head_name, member_count, poverty_causes,"
            " batches, dibao, five_guarantee, basic_needs, income_channels, version, created_at, updated_at)"
            " VALUES ($1, $2, 'candidate', $3, $4, $5, $6, '{}', false, false, '{}', '{}', 1, now(), now())",
            hid, body["area_code"], body["year"], body["members"][0]["name"], len(body["members"]),
            body.get("poverty_causes") or [],
        )
        await conn.executemany(
            "INSERT INTO member (id, household_id, name, resident_id_cipher, resident_id_hash,"
            " resident_id_masked, birth_date, sex, relation, labour_capacity, in_school, migrant_work,"
            " active, holds_identity)"
            " VALUES ($1, $2, $3, $4, md5($4) || md5($4), left($4, 6) || '********' || right($4, 4),"
            " to_date(substr($4, 7, 8), 'YYYYMMDD'), 'male', $5, $6, false, false, true, true)",
            [
                (uuid.uuid4(), hid, m["name"], m["resident_id"], m["relation"], m["labour_capacity"])
                for m in body["members"]
            ],
        )
        await conn.execute(
            "INSERT INTO outbox (id, type, subject, envelope) VALUES ($1, $2, $3, $4::jsonb)",
            uuid.uuid4(), "registry.household.registered.v1", f"registry.household.{hid}",
            json.dumps({"id": str(hid), "data": body}),
        )
    return {"id": str(hid)}
