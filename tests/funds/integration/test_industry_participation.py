"""Seed 004 (Chishui town, Kaiping) 四(三): 多措并举扶持其至少发展或参与1项特色优势种养殖业项目或从事
农产品加工、服务或其他脱贫增收优势产业 — a county officer sees the helped households no industry
project lists."""

from __future__ import annotations

import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.money import yuan
from tests.funds.integration.factories import deliver, registered
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
COUNTY = auth("finance", "440783000000")
REPORT = "/funds/v1/projects/industry-participation"


async def _project(client, category: str, area: str = "440783105201") -> str:  # type: ignore[no-untyped-def]
    r = await client.post(
        "/funds/v1/projects",
        json={
            "name": f"合成{category}项目",
            "area_code": area,
            "category": category,
            "budget_fen": yuan(100_000),
            "funding_account": "kaiping-integrated-pool",
        },
        headers=COUNTY,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_helped_households_without_an_industry_project_are_listed(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        pool = {"code": "kaiping-integrated-pool", "name": "开平市统筹整合资金", "kind": "holding"}
        r = await client.post(
            "/funds/v1/accounts", json={**pool, "area_code": "440783000000"}, headers=COUNTY
        )
        assert r.status_code == 201
        for hid, area in (("hh-a", "440783105201"), ("hh-b", "440783105201"), ("hh-c", "440783105202")):
            await deliver(app.state.db, registered(hid, 3, area=area))
        await deliver(
            app.state.db, registered("hh-floor", 2, batches=("dibao_floor",))
        )  # not a 帮扶对象 here
        industry, water = await _project(client, "industry"), await _project(client, "infrastructure")

        before = (await client.get(REPORT, headers=COUNTY)).json()
        assert (before["min_projects"], before["households"], before["with_projects"]) == (1, 3, 0)
        assert "至少发展或参与1项" in before["source"]

        url = f"/funds/v1/projects/{industry}/households"
        r = await client.post(url, json={"household_id": "hh-a"}, headers=COUNTY)
        assert r.status_code == 201
        assert r.json() == {"project_id": industry, "household_id": "hh-a"}
        assert (await client.post(url, json={"household_id": "hh-a"}, headers=COUNTY)).status_code == 201
        # an infrastructure project is no industry project
        water_url = f"/funds/v1/projects/{water}/households"
        assert (
            await client.post(water_url, json={"household_id": "hh-b"}, headers=COUNTY)
        ).status_code == 201

        after = (await client.get(REPORT, headers=COUNTY)).json()
        assert (after["households"], after["with_projects"]) == (3, 1)
        assert [h["household_id"] for h in after["without_projects"]] == ["hh-b", "hh-c"]
        assert after["without_projects"][1]["area_code"] == "440783105202"
        village = await client.get(REPORT, params={"area_code": "440783105202"}, headers=COUNTY)
        assert [h["household_id"] for h in village.json()["without_projects"]] == ["hh-c"]

        # a cancelled project no longer counts
        cancel = await client.post(
            f"/funds/v1/projects/{industry}/status",
            json={"status": "cancelled"},
            headers={**COUNTY, "If-Match": '"1"'},
        )
        assert cancel.status_code == 200, cancel.text
        assert (await client.get(REPORT, headers=COUNTY)).json()["with_projects"] == 0

        unknown = await client.post(url, json={"household_id": "hh-nobody"}, headers=COUNTY)
        assert unknown.status_code == 404
        outside = await client.get(
            REPORT, headers={**auth("finance", "350500000000"), "Accept-Language": "zh"}
        )
        assert outside.status_code == 422  # Quanzhou's seed names no such obligation
        assert outside.json()["type"].endswith("/no-industry-participation-rule")
