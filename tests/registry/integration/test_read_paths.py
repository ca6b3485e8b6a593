"""The hot reads stay cheap as a county grows: a list page is read off the index in order."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import select

from services.registry.models import Area
from tests.registry.integration.helpers import (
    ADMIN,
    COUNTY_REGISTRAR,
    OTHER_VILLAGE,
    VILLAGE,
    candidate,
    load_areas,
    registry_app,
)
from tests.support import service_client

pytestmark = pytest.mark.asyncio


async def test_a_list_page_is_read_off_the_area_index_without_sorting_the_county(make_db, monkeypatch):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        made = [(await candidate(c))["id"] for _ in range(3)]
        pages: list[tuple[str, Any]] = []

        # the page runs on the asyncpg connection itself (shared.db.read_rows): caught there
        fetch = asyncpg.Connection.fetch

        async def grab(conn: asyncpg.Connection, query: str, *args: Any, **kw: Any) -> Any:
            if query.lstrip().startswith("SELECT") and "FROM household" in query and "LIMIT" in query:
                pages.append((query, args))
            return await fetch(conn, query, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, "fetch", grab)
        first = (await c.get("/registry/v1/households?limit=2", headers=COUNTY_REGISTRAR)).json()
        url = f"/registry/v1/households?limit=2&cursor={first['next_cursor']}"
        second = (await c.get(url, headers=COUNTY_REGISTRAR)).json()
        monkeypatch.undo()
        listed = [h["id"] for h in first["items"] + second["items"]]
        assert sorted(listed) == sorted(made)  # both pages, nothing twice
        assert len(set(listed)) == 3
        assert second["next_cursor"] is None

        assert len(pages) == 2
        for statement, params in pages:  # the first page, and a page after a cursor
            async with app.state.db.engine.connect() as conn:
                await conn.exec_driver_sql("SET enable_sort = off")  # a sort only if nothing else can
                plan = "\n".join(
                    r[0] for r in await conn.exec_driver_sql("EXPLAIN " + statement, tuple(params))
                )
            assert "ix_household_area_code_id" in plan, plan
            assert "Sort" not in plan, plan


async def test_a_read_only_session_refuses_to_write(make_db):
    """The reads above run without a transaction block, so their session must never write."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        async with app.state.db.read_sessionmaker() as session:
            area = (await session.execute(select(Area).limit(1))).scalar_one()
            area_name = area.name
            area.name = "改名"
            with pytest.raises(RuntimeError, match="read-only"):
                await session.flush()
        unchanged = (await c.get(f"/registry/v1/areas/{area.code}", headers=ADMIN)).json()
        assert unchanged["name"] == area_name


async def test_a_list_filtered_by_area_tells_an_empty_area_from_one_not_on_the_register(make_db):
    """The page and the area's check are one statement: an area with households lists them, one
    without lists nothing (200), a code of the caller's county that no area has is 404 in Chinese."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        made = {(await candidate(c))["id"] for _ in range(3)}
        url = "/registry/v1/households"
        first = (await c.get(url, params={"area_code": VILLAGE, "limit": 2}, headers=COUNTY_REGISTRAR)).json()
        params = {"area_code": VILLAGE, "limit": 2, "cursor": first["next_cursor"]}
        second = (await c.get(url, params=params, headers=COUNTY_REGISTRAR)).json()
        assert {h["id"] for h in first["items"] + second["items"]} == made
        assert second["next_cursor"] is None

        empty = await c.get(url, params={"area_code": OTHER_VILLAGE}, headers=COUNTY_REGISTRAR)
        assert empty.status_code == 200
        assert empty.json() == {"items": [], "next_cursor": None}

        missing = await c.get(url, params={"area_code": "440783999999"}, headers=COUNTY_REGISTRAR)
        assert missing.status_code == 404
        assert missing.json()["detail"] == "您的辖区内没有地区 440783999999"
