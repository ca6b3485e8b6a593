"""Seed 004 (Kaiping) 三(一)/四(一) through the funds API: "2016-2018年按贫困人口人均3年不少于2万元的投入
标准". A per-capita scheme for Kaiping meeting 2016-2018 that plans less than 20,000 yuan per person is
refused (422 problem+json naming the standard); exactly 20,000 yuan is taken (不少于 includes it)."""

from __future__ import annotations

import dataclasses

import pytest

from services.funds.app import create_app
from services.funds.policies.presets import KAIPING_PER_CAPITA
from services.funds.schemes.rules import Share
from services.funds.schemes.schemas import from_rule
from services.funds.settings import FundsSettings
from shared.money import yuan
from tests.funds.integration.factories import CHISHUI, FINANCE, KAIPING
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
Body = dict[str, object]
BELOW = "/per-capita-below-standard"


def scheme(fen: int, *, years: tuple[int, ...] = KAIPING_PER_CAPITA.years, area: str = KAIPING) -> Body:
    rule = dataclasses.replace(KAIPING_PER_CAPITA, amount_per_person_fen=fen, years=years)
    if years != KAIPING_PER_CAPITA.years:  # a plain one-share scheme for other periods
        rule = dataclasses.replace(rule, shares=(Share(code="kaiping", payer="kaiping-finance", weight=1),))
    return {"code": f"pc-{fen}-{years[0]}", "name": "人均投入", "area_code": area, "params": from_rule(rule)}


async def test_kaiping_per_capita_scheme_below_20000_yuan_a_person_is_refused(make_db) -> None:
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    en = FINANCE | {"Accept-Language": "en"}
    async with service_client(app) as client:
        # 19,999.99 yuan per person over 2016-2018: refused with the standard and the seed's words
        r = await client.post("/funds/v1/schemes", json=scheme(yuan(20_000) - 1), headers=en)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["type"].endswith(BELOW)
        assert (body["amount_per_person_fen"], body["minimum_per_person_fen"]) == (1_999_999, 2_000_000)
        assert "plans 19,999.99 yuan per person" in body["detail"]
        assert "at least 20,000.00 yuan per person" in body["detail"]
        assert "人均3年不少于2万元" in body["detail"]

        # the clerk reading Chinese is told the figure to reach
        zh = await client.post("/funds/v1/schemes", json=scheme(yuan(15_000)), headers=FINANCE)
        assert zh.status_code == 422
        assert zh.json()["title"] == "人均投入低于政策规定的标准"
        assert "人均投入15,000.00元" in zh.json()["detail"]
        assert "人均不少于20,000.00元" in zh.json()["detail"]
        # the standard's own words, not the project's reference to where they were found
        assert zh.json()["detail"].endswith("（2016-2018年按贫困人口人均3年不少于2万元的投入标准）")
        assert "seed" not in zh.json()["detail"]

        # a town's scheme is under Kaiping too; a scheme touching one year of the period as well
        r = await client.post("/funds/v1/schemes", json=scheme(yuan(19_000), area=CHISHUI), headers=FINANCE)
        assert (r.status_code, r.json()["type"].endswith(BELOW)) == (422, True)
        r = await client.post("/funds/v1/schemes", json=scheme(yuan(10_000), years=(2018,)), headers=FINANCE)
        assert (r.status_code, r.json()["type"].endswith(BELOW)) == (422, True)

        # exactly 20,000 yuan (不少于 includes it) is taken, and more
        for fen in (yuan(20_000), yuan(20_000) + 1):
            r = await client.post("/funds/v1/schemes", json=scheme(fen), headers=FINANCE)
            assert r.status_code == 201, r.text
            assert r.json()["params"]["amount_per_person_fen"] == fen


async def test_the_standard_binds_kaiping_in_2016_2018_only(make_db) -> None:
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        # after the period (the seed's standard is for 2016-2018) and elsewhere: no minimum
        r = await client.post("/funds/v1/schemes", json=scheme(yuan(1_000), years=(2019,)), headers=FINANCE)
        assert r.status_code == 201, r.text
        quanzhou = auth("finance", "350500000000")
        r = await client.post(
            "/funds/v1/schemes", json=scheme(yuan(1_000), area="350500000000"), headers=quanzhou
        )
        assert r.status_code == 201, r.text
