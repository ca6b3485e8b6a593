"""Kaiping seed 004 五(十)2 over HTTP: 对积极参与精准扶贫工作，且吸纳建档立卡贫困劳动力20人以上并稳定就业
一年以上的企业，财政、金融、税务等部门要在企业项目贷款、税收等方面给予优惠政策支持. 以上 includes the
number: 20 workers, each employed exactly one year (both ends days employed), qualify; 19 do not."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import (
    COUNTY,
    OFFICE,
    OTHER_COUNTY,
    V1,
    deliver,
    helper,
    household,
    registry_event,
)
from tests.support import auth

pytestmark = pytest.mark.asyncio
QUANZHOU = auth(["registrar"], "350500000000", sub="quanzhou-office")
YEAR_AGO = "2025-11-23"  # to 22 November 2026 (today in these tests): exactly one year


async def test_twenty_poor_workers_employed_a_year_qualify_the_enterprise(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    enterprise = await helper(client, "enterprise", area_code=COUNTY)
    employments = f"/pairing/v1/helpers/{enterprise}/employments"
    support = f"/pairing/v1/helpers/{enterprise}/preferential-support"
    households = [await household(app, V1) for _ in range(5)]

    async def employ(n: int, started_on: str, **extra: str) -> dict:
        body = {
            "household_id": households[n % 5],
            "worker_name": f"工人{n}",
            "started_on": started_on,
            **extra,
        }
        r = await client.post(employments, json=body, headers=OFFICE)
        assert r.status_code == 201, r.text
        return r.json()

    for n in range(19):
        assert (await employ(n, YEAR_AGO))["stably_employed"] is True
    assert (await employ(19, "2025-11-24"))["stably_employed"] is False  # a day short of a year
    s = (await client.get(support, headers=OFFICE)).json()
    assert (s["poor_workers"], s["stably_employed"], s["qualifies"]) == (20, 19, False)
    assert (s["min_poor_workers"], s["min_years"]) == (20, 1)
    assert "20人以上并稳定就业一年以上" in s["source"]

    # worker 0 again (a second period): still one worker
    await employ(0, "2026-01-01")
    s = (await client.get(support, headers=OFFICE)).json()
    assert (s["poor_workers"], s["stably_employed"], s["qualifies"]) == (20, 19, False)

    # a 21st worker who stayed a full year and left counts: 20 stably employed
    await employ(20, "2024-03-01", ended_on="2025-02-28")
    s = (await client.get(support, headers=OFFICE)).json()
    assert (s["poor_workers"], s["stably_employed"], s["qualifies"]) == (21, 20, True)
    assert len((await client.get(employments, headers=OFFICE)).json()) == 22


async def test_only_enterprises_and_labourers_of_registered_households_and_only_where_a_seed_says(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    enterprise = await helper(client, "enterprise", area_code=COUNTY)
    cadre = await helper(client, "cadre")
    gone = await household(app, V1)
    await deliver(
        app, registry_event("registry.household.removed.v1", {"household_id": gone, "area_code": V1})
    )
    body = {"household_id": gone, "worker_name": "工人", "started_on": YEAR_AGO}

    r = await client.post(f"/pairing/v1/helpers/{cadre}/employments", json=body, headers=OFFICE)
    assert (r.status_code, r.json()["rule"]) == (409, "helper_kind")
    r = await client.post(f"/pairing/v1/helpers/{enterprise}/employments", json=body, headers=OFFICE)
    assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (409, "worker-not-on-roll")
    backwards = {**body, "household_id": await household(app, V1), "ended_on": "2025-01-01"}
    r = await client.post(f"/pairing/v1/helpers/{enterprise}/employments", json=backwards, headers=OFFICE)
    assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (422, "invalid-period")

    # Quanzhou's seed sets no such rule: 422
    body = {"kind": "enterprise", "name": "晋江某企业", "area_code": OTHER_COUNTY}
    quanzhou = (await client.post("/pairing/v1/helpers", json=body, headers=QUANZHOU)).json()["id"]
    r = await client.get(f"/pairing/v1/helpers/{quanzhou}/preferential-support", headers=QUANZHOU)
    assert r.status_code == 422, r.text
