"""Seed 004 (Kaiping) 六(一) through the registry API: "确保到2018年底，全市所有村委会集体可支配收入达到
20万元以上。其中，2016年达到15万元以上。2017年达到18万元以上。" A Kaiping poor village that asks to exit
with less than its year's figure is refused (409, the figure named); at exactly the figure it may ask."""

from __future__ import annotations

import pytest

from shared.policy_documents import CHISHUI_PLAN
from tests.registry.integration.area_exit_helpers import EVIDENCE
from tests.registry.integration.helpers import registry_app
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
R = "/registry/v1"
COUNTY = "440783000000"
VILLAGE = "440783101201"  # synthetic code below the county
CLERK = auth(["registrar", "approver"], COUNTY, sub="kaiping-clerk") | {"Accept-Language": "en"}
AREAS = [
    {"code": "440000000000", "name": "广东省"},
    {"code": "440700000000", "name": "江门市"},
    {"code": COUNTY, "name": "开平市"},
    {"code": "440783101000", "name": "合成镇", "synthetic_code": True},
    {
        "code": VILLAGE,
        "name": "合成老区村",
        "poor_village": True,
        "rural_population": 1_000,  # no poor household: incidence 0%
        "synthetic_code": True,
    },
]


def income(fen: int) -> dict[str, object]:
    return {"criterion": "collective_disposable_income", "value": fen, "evidence": EVIDENCE}


@pytest.mark.parametrize(
    ("year", "figure_yuan"),
    [(2016, 150_000), (2017, 180_000), (2018, 200_000), (2019, 200_000)],  # 2018's holds on
)
async def test_a_village_below_its_years_collective_income_is_refused_at_the_figure_it_may_exit(
    make_db, year: int, figure_yuan: int
) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.post(f"{R}/areas", json={"areas": AREAS}, headers=auth("registrar", "440000000000"))
        assert r.status_code == 200, r.text
        url = f"{R}/areas/{VILLAGE}/exit-requests"

        # the criteria in force name the seed's figure, at or above (以上)
        e = (await c.get(f"{R}/areas/{VILLAGE}/exit-eligibility?year={year}", headers=CLERK)).json()
        crit = {x["criterion"]: x for x in e["criteria"]}
        assert crit["collective_disposable_income"]["threshold"] == figure_yuan * 100
        assert crit["collective_disposable_income"]["comparison"] == "at_or_above"
        assert e["policy"]["source"].startswith(f"{CHISHUI_PLAN}六(一)")

        # one fen short (e.g. 149,999.99 yuan in 2016): refused, the criterion and figure named
        r = await c.post(url, json={"year": year, "declared": [income(figure_yuan * 100 - 1)]}, headers=CLERK)
        assert r.status_code == 409, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        failed = [x["criterion"] for x in body["criteria"] if not x["passed"]]
        assert failed == ["collective_disposable_income"]
        assert f"must be at or above {figure_yuan:,}.00 yuan" in body["detail"]

        # a clerk reading Chinese is told which criterion, with the seed's figure in 万元
        zh = await c.post(
            url,
            json={"year": year, "declared": [income(figure_yuan * 100 - 100)]},
            headers=CLERK | {"Accept-Language": "zh-CN"},
        )
        assert zh.status_code == 409
        assert f"村集体可支配收入达到{figure_yuan // 10_000}万元以上" in zh.json()["detail"]

        # not declared at all: refused too (the figure needs the village accounts as evidence)
        r = await c.post(url, json={"year": year}, headers=CLERK)
        assert r.status_code == 409
        assert "collective_disposable_income: not declared" in r.json()["detail"]

        # exactly the figure (以上 includes it): the request is taken
        r = await c.post(url, json={"year": year, "declared": [income(figure_yuan * 100)]}, headers=CLERK)
        assert r.status_code == 201, r.text
        assert r.json()["policy_source"].startswith(f"440783/{min(year, 2018)}: {CHISHUI_PLAN}")


async def test_a_figure_of_a_later_year_is_not_asked_of_an_earlier_one(make_db) -> None:
    """160,000 yuan meets 2016's 15万 but not 2017's 18万."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.post(f"{R}/areas", json={"areas": AREAS}, headers=auth("registrar", "440000000000"))
        assert r.status_code == 200, r.text
        url = f"{R}/areas/{VILLAGE}/exit-requests"
        r = await c.post(url, json={"year": 2017, "declared": [income(16_000_000)]}, headers=CLERK)
        assert r.status_code == 409
        assert "must be at or above 180,000.00 yuan" in r.json()["detail"]
        r = await c.post(url, json={"year": 2016, "declared": [income(16_000_000)]}, headers=CLERK)
        assert r.status_code == 201, r.text
