"""Budget compliance on real PostgreSQL: declarations (If-Match), the check per rule, exact boundaries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.money import yuan
from shared.tables import audit_log
from tests.funds.integration.factories import outbox_types
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

COUNTY = "621221000000"  # a Gansu county (synthetic digits under 62)
CITY = "621200000000"
TOWN = "621221100000"
JINZHOU = "210700000000"
YI_COUNTY = "210727000000"
COUNTY_FINANCE = auth("finance", COUNTY, sub="county-finance")
CITY_FINANCE = auth("finance", CITY, sub="city-finance")
JINZHOU_FINANCE = auth("finance", JINZHOU, sub="jinzhou-finance")


async def _account(
    client: httpx.AsyncClient, code: str, area: str, kind: str, headers: dict[str, str]
) -> None:
    body = {"code": code, "name": code, "area_code": area, "kind": kind}
    r = await client.post("/funds/v1/accounts", json=body, headers=headers)
    assert r.status_code == 201, r.text


async def _budget(
    client: httpx.AsyncClient, code: str, year: int, amount: int, headers: dict[str, str]
) -> None:
    url = f"/funds/v1/accounts/{code}/budgets/{year}"
    current = await client.get(url, headers=headers)
    extra = {"If-Match": current.headers["ETag"]} if current.status_code == 200 else {}
    r = await client.put(url, json={"amount_fen": amount}, headers={**headers, **extra})
    assert r.status_code == 200, r.text


async def _check(client: httpx.AsyncClient, area: str, year: int, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.get(f"/funds/v1/budget-compliance/{area}/{year}", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _by_rule(check: dict[str, Any]) -> dict[str, tuple[Any, Any, Any, Any]]:
    return {
        r["rule_code"]: (r["required_fen"], r["budgeted_fen"], r["passed"], r["shortfall_fen"])
        for r in check["rules"]
    }


async def test_gansu_county_exactly_20_percent_passes_and_one_fen_under_fails(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _account(client, "chengxian-finance", COUNTY, "source", COUNTY_FINANCE)
        await _account(client, "chengxian-town-finance", TOWN, "source", COUNTY_FINANCE)
        await _account(client, "chengxian-pool", COUNTY, "holding", COUNTY_FINANCE)
        url = f"/funds/v1/budget-declarations/{COUNTY}/2017"
        r = await client.put(
            url,
            json={"local_revenue_increase_fen": yuan(30_000_000), "recovered_idle_funds_fen": 0},
            headers=COUNTY_FINANCE,
        )
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"1"'
        # a township's budget and a holding account's budget do not count toward the county's rule
        await _budget(client, "chengxian-town-finance", 2017, yuan(1_000_000), COUNTY_FINANCE)
        await _budget(client, "chengxian-pool", 2017, yuan(1_000_000), COUNTY_FINANCE)

        await _budget(client, "chengxian-finance", 2017, yuan(6_000_000), COUNTY_FINANCE)
        exact = await _check(client, COUNTY, 2017, COUNTY_FINANCE)
        assert _by_rule(exact) == {
            "gansu-county-recovered-idle-funds": (0, 600_000_000, True, 0),
            "gansu-county-revenue-increase": (600_000_000, 600_000_000, True, 0),
        }
        assert exact["total"] == {
            "required_fen": 600_000_000,
            "budgeted_fen": 600_000_000,
            "passed": True,
            "shortfall_fen": 0,
        }
        # how the rules are read: Chinese by default, English for a client that asks for it
        assert exact["rounding"].startswith("以上、不低于包含本数")
        assert "round" not in exact["rounding"]
        english = await _check(client, COUNTY, 2017, {**COUNTY_FINANCE, "Accept-Language": "en"})
        assert "rounded up to the whole fen" in english["rounding"]
        assert exact["declaration"]["version"] == 1

        await _budget(client, "chengxian-finance", 2017, yuan(6_000_000) - 1, COUNTY_FINANCE)
        under = await _check(client, COUNTY, 2017, COUNTY_FINANCE)
        assert _by_rule(under)["gansu-county-revenue-increase"] == (600_000_000, 599_999_999, False, 1)
        assert (under["total"]["passed"], under["total"]["shortfall_fen"]) == (False, 1)

        # recovered idle funds add half of themselves, rounded up: 400,000,001 fen -> 200,000,001
        stale = await client.put(
            url,
            json={"local_revenue_increase_fen": yuan(30_000_000), "recovered_idle_funds_fen": 400_000_001},
            headers=COUNTY_FINANCE,
        )
        assert stale.status_code == 428
        assert stale.headers["content-type"].startswith("application/problem+json")
        r = await client.put(
            url,
            json={"local_revenue_increase_fen": yuan(30_000_000), "recovered_idle_funds_fen": 400_000_001},
            headers={**COUNTY_FINANCE, "If-Match": '"1"'},
        )
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"2"'
        again = await client.put(
            url,
            json={"local_revenue_increase_fen": 0, "recovered_idle_funds_fen": 0},
            headers={**COUNTY_FINANCE, "If-Match": '"1"'},
        )
        assert again.status_code == 412
        await _budget(client, "chengxian-finance", 2017, 800_000_001, COUNTY_FINANCE)
        both = await _check(client, COUNTY, 2017, COUNTY_FINANCE)
        assert _by_rule(both)["gansu-county-recovered-idle-funds"] == (200_000_001, 800_000_001, True, 0)
        assert both["total"] == {
            "required_fen": 800_000_001,
            "budgeted_fen": 800_000_001,
            "passed": True,
            "shortfall_fen": 0,
        }

        async with app.state.db.transaction() as s:
            rows = (
                await s.execute(
                    select(audit_log.c.before, audit_log.c.after).where(
                        audit_log.c.action == "budget_declaration.recorded"
                    )
                )
            ).all()
        assert [r.after["recovered_idle_funds_fen"] for r in rows] == [0, 400_000_001]
        assert rows[0].before is None
        assert rows[1].before["version"] == 1
        assert (await outbox_types(app.state.db)).count("funds.budget_declaration.recorded.v1") == 2


async def test_gansu_city_10_percent_rounds_up_and_counts_only_city_budgets(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _account(client, "longnan-finance", CITY, "source", CITY_FINANCE)
        await _account(client, "chengxian-finance", COUNTY, "source", CITY_FINANCE)
        r = await client.put(
            f"/funds/v1/budget-declarations/{CITY}/2018",
            json={"local_revenue_increase_fen": 1_234_567_891, "recovered_idle_funds_fen": 3},
            headers=CITY_FINANCE,
        )
        assert r.status_code == 200, r.text
        await _budget(client, "chengxian-finance", 2018, yuan(1_000_000_000), CITY_FINANCE)
        # 10% of 1,234,567,891 = 123,456,789.1 -> 123,456,790; 50% of 3 = 1.5 -> 2: total 123,456,792
        await _budget(client, "longnan-finance", 2018, 123_456_791, CITY_FINANCE)
        check = await _check(client, CITY, 2018, CITY_FINANCE)
        assert _by_rule(check) == {
            "gansu-city-recovered-idle-funds": (2, 123_456_791, True, 0),
            "gansu-city-revenue-increase": (123_456_790, 123_456_791, True, 0),
        }
        assert (
            check["total"]["required_fen"],
            check["total"]["passed"],
            check["total"]["shortfall_fen"],
        ) == (
            123_456_792,
            False,
            1,
        )
        # the county's own check reads its 20% (246,913,579 fen, rounded up) — but it declared nothing
        county = await _check(client, COUNTY, 2018, CITY_FINANCE)
        assert {r["required_fen"] for r in county["rules"]} == {None}
        assert county["total"]["passed"] is None
        assert county["declaration"] is None


async def test_jinzhou_40_million_in_city_and_county_budgets(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _account(client, "jinzhou-finance", JINZHOU, "source", JINZHOU_FINANCE)
        await _account(client, "yixian-finance", YI_COUNTY, "source", JINZHOU_FINANCE)
        await _account(client, "yixian-town-finance", "210727100000", "source", JINZHOU_FINANCE)
        await _budget(client, "jinzhou-finance", 2017, yuan(25_000_000), JINZHOU_FINANCE)
        await _budget(client, "yixian-finance", 2017, yuan(15_000_000), JINZHOU_FINANCE)
        await _budget(client, "yixian-town-finance", 2017, yuan(5_000_000), JINZHOU_FINANCE)
        check = await _check(client, JINZHOU, 2017, JINZHOU_FINANCE)
        assert _by_rule(check) == {"jinzhou-special-fund": (4_000_000_000, 4_000_000_000, True, 0)}
        assert check["rules"][0]["budget_levels"] == ["city", "county"]
        await _budget(client, "yixian-finance", 2017, yuan(15_000_000) - 1, JINZHOU_FINANCE)
        check = await _check(client, JINZHOU, 2017, JINZHOU_FINANCE)
        assert _by_rule(check) == {"jinzhou-special-fund": (4_000_000_000, 3_999_999_999, False, 1)}
        # no rule binds the county alone, another year outside the record's years, or Kaiping
        assert (await _check(client, YI_COUNTY, 2017, JINZHOU_FINANCE))["rules"] == []
        assert (await _check(client, JINZHOU, 2021, JINZHOU_FINANCE))["rules"] == []


async def test_gansu_province_puts_half_of_its_recovered_idle_funds_in_too(make_db) -> None:  # type: ignore[no-untyped-def]
    """Seed 003: 各级财政…当年清理收回存量资金中可统筹使用资金的50%以上用于扶贫开发 — every level, the
    province included; its revenue increase binds nobody at that level (片区县 20%, 市级 10% only)."""
    gansu = "620000000000"
    office = auth("finance", gansu, sub="gansu-finance")
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _account(client, "gansu-finance", gansu, "source", office)
        await _account(client, "longnan-finance", CITY, "source", office)
        r = await client.put(
            f"/funds/v1/budget-declarations/{gansu}/2017",
            json={"local_revenue_increase_fen": yuan(90_000_000), "recovered_idle_funds_fen": 400_000_001},
            headers=office,
        )
        assert r.status_code == 200, r.text
        await _budget(client, "longnan-finance", 2017, yuan(9_000_000), office)  # a city's: not counted
        await _budget(client, "gansu-finance", 2017, 200_000_001, office)
        check = await _check(client, gansu, 2017, office)
        rule = "gansu-province-recovered-idle-funds"
        assert _by_rule(check) == {rule: (200_000_001, 200_000_001, True, 0)}
        await _budget(client, "gansu-finance", 2017, 200_000_000, office)
        check = await _check(client, gansu, 2017, office)
        assert _by_rule(check) == {rule: (200_000_001, 200_000_000, False, 1)}


async def test_quanzhou_2018_city_budget_holds_the_three_earmarks_of_75_million(make_db) -> None:  # type: ignore[no-untyped-def]
    """Seed 002: housing 不少于3000万 (三), village collectives 2500万 (六), infrastructure 2000万 (七),
    all from the city's own budget in 2018; the total needs 75,000,000 yuan to the fen."""
    quanzhou, jinjiang = "350500000000", "350582000000"
    office = auth("finance", quanzhou, sub="quanzhou-finance")
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _account(client, "quanzhou-finance", quanzhou, "source", office)
        await _account(client, "jinjiang-finance", jinjiang, "source", office)
        await _budget(client, "jinjiang-finance", 2018, yuan(50_000_000), office)  # a county's: not counted
        await _budget(client, "quanzhou-finance", 2018, yuan(75_000_000), office)
        check = await _check(client, quanzhou, 2018, office)
        budget = yuan(75_000_000)
        assert _by_rule(check) == {
            "quanzhou-2018-housing": (yuan(30_000_000), budget, True, 0),
            "quanzhou-2018-infrastructure": (yuan(20_000_000), budget, True, 0),
            "quanzhou-2018-village-collective": (yuan(25_000_000), budget, True, 0),
        }
        assert (check["total"]["required_fen"], check["total"]["passed"]) == (yuan(75_000_000), True)
        sources = {r["rule_code"]: r["source"] for r in check["rules"]}
        assert "不少于3000万元" in sources["quanzhou-2018-housing"]
        await _budget(client, "quanzhou-finance", 2018, yuan(75_000_000) - 1, office)
        short = (await _check(client, quanzhou, 2018, office))["total"]
        assert (short["passed"], short["shortfall_fen"]) == (False, 1)
        # the earmarks are the city's, for 2018 only
        assert (await _check(client, jinjiang, 2018, office))["rules"] == []
        assert (await _check(client, quanzhou, 2017, office))["rules"] == []


async def test_roles_scope_and_bad_input(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    body = {"local_revenue_increase_fen": -yuan(5), "recovered_idle_funds_fen": 0}
    async with service_client(app) as client:
        url = f"/funds/v1/budget-declarations/{COUNTY}/2017"
        cadre = await client.put(url, json=body, headers=auth("cadre", COUNTY))
        assert cadre.status_code == 403
        other = await client.put(url, json=body, headers=auth("finance", "621222000000"))
        assert other.status_code == 404
        assert other.headers["content-type"].startswith("application/problem+json")
        bad = await client.put(url, json={**body, "recovered_idle_funds_fen": -1}, headers=COUNTY_FINANCE)
        assert bad.status_code == 422
        no_area = await client.put(
            "/funds/v1/budget-declarations/000000000000/2017",
            json=body,
            headers=auth("admin", "620000000000"),
        )
        assert no_area.status_code == 422
        assert (await client.put(url, json=body, headers=COUNTY_FINANCE)).status_code == 200
        # a fall in revenue requires no share; any reader in the area sees it, others do not
        check = await _check(client, COUNTY, 2017, auth("auditor", COUNTY))
        assert _by_rule(check)["gansu-county-revenue-increase"] == (0, 0, True, 0)
        hidden = await client.get(
            f"/funds/v1/budget-compliance/{COUNTY}/2017", headers=auth("auditor", "621222000000")
        )
        assert hidden.status_code == 404
        missing = await client.get(f"/funds/v1/budget-declarations/{COUNTY}/2016", headers=COUNTY_FINANCE)
        assert missing.status_code == 404
