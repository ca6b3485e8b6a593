"""Weak villages (seed 002 薄弱村) against hand-counted fixtures, scoped by the caller's area.

Anxi (350524), one township, villages with 2018 collective operating income (yuan):
  201  10,000.00  exactly the threshold: weak under 1万元以下 (gap 0.01), not weak under 低于
  202   9,999.99  weak either way (gap 0.02 / 0.01)
  203  10,000.01  not weak
  204  (2017 only) unknown in 2018
  205  25,000.00  not weak in 2018; 2019: 29,999.99 → weak under 3万元以下 (gap 0.02)
Dehua (350526), one township: 201 5,000.00, a poor, old-area, key village: weak (gap 5,000.01).
"""

from __future__ import annotations

import pytest

from shared.policy_documents import QUANZHOU_2018_POINTS
from tests.registry.integration.helpers import registry_app
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
CITY = auth("auditor", "350500000000")
ANXI = "350524000000"
DEHUA = "350526000000"


def village(code, name, incomes, **flags):
    return {
        "code": code,
        "name": name,
        "collective_income": [{"year": y, "amount_fen": f} for y, f in incomes.items()],
        **flags,
    }


TREE = [
    {"code": "350000000000", "name": "福建省"},
    {"code": "350500000000", "name": "泉州市"},
    {"code": ANXI, "name": "安溪县"},
    {"code": "350524101000", "name": "示范镇", "synthetic_code": True},
    village("350524101201", "甲村", {2018: 1_000_000}),
    village("350524101202", "乙村", {2018: 999_999}),
    village("350524101203", "丙村", {2018: 1_000_001}),
    village("350524101204", "丁村", {2017: 100}),
    village("350524101205", "戊村", {2018: 2_500_000, 2019: 2_999_999}),
    {"code": DEHUA, "name": "德化县"},
    {"code": "350526101000", "name": "示范镇", "synthetic_code": True},
    village(
        "350526101201", "己村", {2018: 500_000}, poor_village=True, old_area_village=True, key_village=True
    ),
    {"code": "440000000000", "name": "广东省"},
    {"code": "440700000000", "name": "江门市"},
    {"code": "440783000000", "name": "开平市"},
    {"code": "440783105000", "name": "赤水镇", "synthetic_code": True},
    village("440783105201", "步栏村", {2018: 100}),
]


async def load(c):
    for province in ("35", "44"):
        tree = [a for a in TREE if a["code"].startswith(province)]
        headers = auth("registrar", province.ljust(12, "0"))
        r = await c.post("/registry/v1/areas", json={"areas": tree}, headers=headers)
        assert r.status_code == 200, r.text


def codes(items):
    return [(v["area_code"], v.get("collective_income_fen"), v.get("gap_fen")) for v in items]


async def read(c, code, year, headers=CITY, **params):
    r = await c.get(
        f"/registry/v1/rollups/{code}/weak-villages", params={"year": year, **params}, headers=headers
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_quanzhou_2018_counts_a_village_at_exactly_ten_thousand_as_weak(make_db):
    """Seed 002 says 1万元以下: 以下 includes the number (DOMAIN.md, Reading thresholds)."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load(c)
        got = await read(c, "350500000000", 2018)
        assert got["threshold"]["income_fen"] == 1_000_000
        assert got["threshold"]["inclusive"] is True
        assert (got["threshold"]["area_prefix"], got["threshold"]["year"]) == ("3505", 2018)
        assert got["threshold"]["source"].startswith(QUANZHOU_2018_POINTS)
        assert got["explanation"] is None
        assert codes(got["weak"]) == [
            ("350524101201", 1_000_000, 1),
            ("350524101202", 999_999, 2),
            ("350526101201", 500_000, 500_001),
        ]
        assert [v["area_code"] for v in got["unknown"]] == ["350524101204"]
        assert got["totals"] == {
            "villages": 6,
            "weak": 3,
            "not_weak": 2,
            "unknown": 1,
            "no_threshold": 0,
            "gap_fen": 500_004,
        }
        children = {
            k["area_code"]: (k["villages"], k["weak"], k["unknown"], k["gap_fen"]) for k in got["children"]
        }
        assert children == {ANXI: (5, 2, 1, 3), DEHUA: (1, 1, 0, 500_001)}
        dehua = got["weak"][2]
        assert (dehua["poor_village"], dehua["old_area_village"], dehua["key_village"]) == (True, True, True)
        assert (dehua["name"], dehua["parent_code"], dehua["threshold_fen"]) == (
            "己村",
            "350526101000",
            1_000_000,
        )
        # 2019: 3万元以下 (the later record), 202 and 201 have no 2019 income: unknown
        later = await read(c, ANXI, 2019)
        assert later["threshold"]["income_fen"] == 3_000_000
        assert codes(later["weak"]) == [("350524101205", 2_999_999, 2)]
        assert [v["area_code"] for v in later["unknown"]] == [
            "350524101201",
            "350524101202",
            "350524101203",
            "350524101204",
        ]
        # 2020: no record of its own, the 2019 threshold stays in force
        assert (await read(c, ANXI, 2020))["threshold"]["year"] == 2019
        # the resolved policy shows the same numbers
        p = (await c.get("/registry/v1/policies/350524101201/2019", headers=CITY)).json()
        assert (p["weak_village_income_fen"], p["weak_village_income_inclusive"]) == (3_000_000, True)


async def test_a_county_record_under_says_below_so_exactly_ten_thousand_is_not_weak(make_db):
    """低于 (inclusive false): 10,000.00 is not weak, 9,999.99 is; Dehua keeps the city's 以下."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load(c)
        record = {
            "area_prefix": "350524",
            "year": 2018,
            "source": "安溪县: 低于1万元",
            "weak_village_income_fen": 1_000_000,
            "weak_village_income_inclusive": False,
        }
        admin = auth("admin", ANXI)
        assert (await c.put("/registry/v1/policies", json=record, headers=admin)).status_code == 204
        county = await read(c, ANXI, 2018)
        assert county["threshold"]["inclusive"] is False
        assert codes(county["weak"]) == [("350524101202", 999_999, 1)]
        city = await read(c, "350500000000", 2018)
        assert city["threshold"]["inclusive"] is True  # the city's own threshold
        assert codes(city["weak"]) == [("350524101202", 999_999, 1), ("350526101201", 500_000, 500_001)]
        assert city["totals"]["weak"] == 2
        assert city["totals"]["not_weak"] == 3
        assert city["totals"]["gap_fen"] == 500_002
        # a threshold without its comparison is refused (422), nothing stored
        half = {k: v for k, v in record.items() if k != "weak_village_income_inclusive"} | {"year": 2019}
        assert (await c.put("/registry/v1/policies", json=half, headers=admin)).status_code == 422


async def test_an_area_with_no_threshold_answers_null_with_an_explanation(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load(c)
        kaiping = await read(c, "440783000000", 2018, headers=auth("auditor", "440783000000"))
        assert kaiping["threshold"] is None
        assert "No policy record" in kaiping["explanation"]
        assert (kaiping["weak"], kaiping["unknown"]) == ([], [])
        assert kaiping["totals"] == {
            "villages": 1,
            "weak": 0,
            "not_weak": 0,
            "unknown": 0,
            "no_threshold": 1,
            "gap_fen": 0,
        }
        before = await read(c, "350500000000", 2017)  # Quanzhou's presets start in 2018
        assert before["threshold"] is None
        assert before["totals"]["no_threshold"] == 6
        # the province above a county with its own record: null at the top, the county explained
        await c.put(
            "/registry/v1/policies",
            json={
                "area_prefix": "350524",
                "year": 2017,
                "source": "安溪县 2017",
                "weak_village_income_fen": 100_000,
                "weak_village_income_inclusive": False,
            },
            headers=auth("admin", ANXI),
        )
        mixed = await read(c, "350000000000", 2017, headers=auth("auditor", "350000000000"))
        assert mixed["threshold"] is None
        assert "350524" in mixed["explanation"]
        assert [v["area_code"] for v in mixed["unknown"]] == [
            "350524101201",
            "350524101202",
            "350524101203",
            "350524101205",
        ]
        assert codes(mixed["weak"]) == [("350524101204", 100, 99_900)]
        assert (mixed["totals"]["no_threshold"], mixed["totals"]["weak"]) == (1, 1)


async def test_the_lists_are_paged_by_village_code_and_the_counts_cover_the_area(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load(c)
        first = await read(c, "350500000000", 2018, limit=2)
        assert (codes(first["weak"]), first["unknown"]) == (
            [("350524101201", 1_000_000, 1), ("350524101202", 999_999, 2)],
            [],
        )
        assert first["totals"]["weak"] == 3
        second = await read(c, "350500000000", 2018, limit=2, cursor=first["next_cursor"])
        assert [v["area_code"] for v in second["unknown"]] == ["350524101204"]
        assert codes(second["weak"]) == [("350526101201", 500_000, 500_001)]
        assert second["next_cursor"] is None
        assert second["totals"] == first["totals"]
        bad = await c.get(
            "/registry/v1/rollups/350500000000/weak-villages",
            params={"year": 2018, "cursor": "not-a-cursor"},
            headers=CITY,
        )
        assert bad.status_code == 404  # well formed, never given out: cursor-not-found
        too_many = await c.get(
            "/registry/v1/rollups/350500000000/weak-villages", params={"limit": 201}, headers=CITY
        )
        assert too_many.status_code == 422


async def test_scope_and_roles(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load(c)
        dehua_reader = auth("auditor", DEHUA)
        for code in (ANXI, "350500000000", "350524101201"):
            r = await c.get(f"/registry/v1/rollups/{code}/weak-villages?year=2018", headers=dehua_reader)
            assert r.status_code == 404
            assert r.json()["type"].endswith("/area-not-found")
        own = await read(c, DEHUA, 2018, headers=dehua_reader)
        assert codes(own["weak"]) == [("350526101201", 500_000, 500_001)]
        # a village reads its own line; the children of a village are none
        mine = await read(c, "350524101202", 2018, headers=auth("cadre", "350524101202"))
        assert (codes(mine["weak"]), mine["children"], mine["totals"]["villages"]) == (
            [("350524101202", 999_999, 2)],
            [],
            1,
        )
        for role in (
            "registrar",
            "approver",
            "finance",
            "cadre",
            "inspector",
            "evaluator",
            "auditor",
            "admin",
        ):
            assert (await read(c, "350500000000", 2018, headers=auth(role, "350500000000")))["totals"][
                "weak"
            ] == 3
        anonymous = await c.get("/registry/v1/rollups/350500000000/weak-villages?year=2018")
        assert anonymous.status_code == 401
        assert (await c.get("/registry/v1/rollups/12345/weak-villages", headers=CITY)).status_code == 422
