"""Places and policy records over HTTP."""

from __future__ import annotations

import pytest

from shared.policy_documents import CHISHUI_PLAN
from tests.registry.integration.helpers import REGISTRAR, VILLAGE, load_areas, registry_app
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio


async def test_an_area_whose_parent_is_unknown_is_refused_and_nothing_is_saved(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas",
            json={
                "areas": [
                    {"code": "440000000000", "name": "广东省"},
                    {"code": "440783101201", "name": "孤村"},
                ]
            },
            headers=auth("registrar", "440000000000"),
        )
        assert r.status_code == 422
        assert "440783101000" in r.json()["detail"]
        assert (
            await c.get("/registry/v1/areas/440000000000", headers=auth("auditor", "440000000000"))
        ).status_code == 404


async def test_areas_are_read_with_flags_and_scoped(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        village = (await c.get(f"/registry/v1/areas/{VILLAGE}", headers=REGISTRAR)).json()
        assert (village["level"], village["parent_code"]) == ("village", "440783101000")
        assert village["old_area_village"]
        assert village["key_village"]
        assert village["synthetic_code"]
        kids = (
            await c.get("/registry/v1/areas/440783101000/children", headers=auth("auditor", "440783000000"))
        ).json()
        assert [k["code"] for k in kids] == ["440783101201", "440783101202"]
        assert (await c.get("/registry/v1/areas/440783101202", headers=REGISTRAR)).status_code == 404
        r = await c.post(
            "/registry/v1/areas", json={"areas": [{"code": "440783101299", "name": "x"}]}, headers=REGISTRAR
        )
        assert r.status_code == 404  # outside the village registrar's own area
        assert (await c.get("/registry/v1/areas/12345", headers=REGISTRAR)).status_code == 422


async def test_policies_resolve_from_the_seeds_and_an_admin_can_add_a_year(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        p = (await c.get("/registry/v1/policies/440783101201/2017", headers=REGISTRAR)).json()
        assert (p["batch_set"], p["notice_min_days"], p["exit_line_fen"]) == ("kaiping_three", 7, 400_000)
        assert any(CHISHUI_PLAN in s for s in p["sources"])
        g = (await c.get("/registry/v1/policies/620521101201/2018", headers=REGISTRAR)).json()
        assert (g["batch_set"], g["large_debt_limit_fen"], g["exit_incidence_threshold_bp"]) == (
            "gansu_seven",
            5_000_000,
            300,
        )
        record = {
            "area_prefix": "440783",
            "year": 2019,
            "source": "开平市2019年标准",
            "exit_line_fen": 450_000,
        }
        assert (await c.put("/registry/v1/policies", json=record, headers=REGISTRAR)).status_code == 403
        r = await c.put("/registry/v1/policies", json=record, headers=auth("admin", "440000000000"))
        assert r.status_code == 204
        assert (await c.get("/registry/v1/policies/440783101201/2019", headers=REGISTRAR)).json()[
            "exit_line_fen"
        ] == 450_000
        assert (await c.get("/registry/v1/policies/440783101201/2018", headers=REGISTRAR)).json()[
            "exit_line_fen"
        ] == 400_000
        r = await c.put(
            "/registry/v1/policies",
            json=record | {"area_prefix": "3505"},
            headers=auth("admin", "440000000000"),
        )
        assert r.status_code == 403
        r = await c.put(
            "/registry/v1/policies", json=record | {"area_prefix": ""}, headers=auth("admin", "440000000000")
        )
        assert r.status_code == 403  # nationwide defaults are presets, not one province's edit


async def test_collective_income_latest_year_is_shown_and_published(make_db):
    from sqlalchemy import select

    from shared.tables import outbox

    app = registry_app(make_db("registry"))
    province = auth("registrar", "350000000000")
    tree = [
        {"code": c, "name": n}
        for c, n in [
            ("350000000000", "福建省"),
            ("350500000000", "泉州市"),
            ("350524000000", "安溪县"),
            ("350524101000", "示范镇"),
        ]
    ]
    village = {
        "code": "350524101201",
        "name": "帮扶01村",
        "poor_village": True,
        "pairing_dispatch_level": "city",
        "collective_income": [{"year": 2017, "amount_fen": 600_000}, {"year": 2018, "amount_fen": 2_500_000}],
    }
    async with service_client(app) as c:
        assert (
            await c.post("/registry/v1/areas", json={"areas": [*tree, village]}, headers=province)
        ).status_code == 200
        got = (await c.get("/registry/v1/areas/350524101201", headers=province)).json()
        assert (got["collective_income_year"], got["collective_income_fen"]) == (2018, 2_500_000)
        assert (got["pairing_dispatch_level"], got["pairing_dispatch_level_label"]) == ("city", "市派")
        assert (got["level"], got["level_label"]) == ("village", "村")  # the level in the clerk's word too
        async with app.state.db.transaction() as s:
            data = (
                await s.execute(select(outbox.c.envelope).where(outbox.c.subject == "350524101201"))
            ).scalar_one()
        assert data["data"]["collective_income_fen"] == 2_500_000
        assert data["data"]["pairing_dispatch_level"] == "city"


async def test_a_dispatch_level_is_named_as_the_seed_names_it(make_db):
    """帮扶村派出层级 is 市派、省派 or 县派 (seed 002 §十一): a wrong one is refused in those words
    (not in an area exit's 贫困县摘帽), and the word is taken for its code."""
    app = registry_app(make_db("registry"))
    province = auth("registrar", "350000000000")
    tree = [
        {"code": c, "name": n}
        for c, n in [
            ("350000000000", "福建省"),
            ("350500000000", "泉州市"),
            ("350524000000", "安溪县"),
            ("350524101000", "示范镇"),
        ]
    ]
    village = {"code": "350524101201", "name": "帮扶01村", "pairing_dispatch_level": "town"}
    async with service_client(app) as c:
        r = await c.post("/registry/v1/areas", json={"areas": [*tree, village]}, headers=province)
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert "帮扶派驻层级应为以下之一：市派、省派、县派" in detail, detail
        assert "摘帽" not in detail
        english = await c.post(
            "/registry/v1/areas",
            json={"areas": [*tree, village]},
            headers=province | {"Accept-Language": "en"},
        )
        assert "Input should be 'city', 'province' or 'county'" in english.json()["detail"], english.text

        r = await c.post(
            "/registry/v1/areas",
            json={"areas": [*tree, village | {"pairing_dispatch_level": "县派"}]},
            headers=province,
        )
        assert r.status_code == 200, r.text
        got = (await c.get("/registry/v1/areas/350524101201", headers=province)).json()
        assert (got["pairing_village"], got["pairing_dispatch_level"]) == (True, "county")
