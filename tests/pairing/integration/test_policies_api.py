"""Policy overrides over HTTP: a lower cap refuses the next household and shows a cadre over it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import COUNTY, OFFICE, TOWNSHIP, V1, area, helper, household, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio
APPROVER = auth(["approver"], COUNTY, sub="kaiping-approver")
STAFFING_GAPS = ("township_without_staff", "village_without_coordinator")


async def test_a_lowered_cap_refuses_the_next_household_and_flags_the_cadre(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre = await helper(client)
    for _ in range(4):
        assert (await pair(client, "cadre_household", cadre, await household(app))).status_code == 201
    body = {
        "area_prefix": "440783",
        "valid_from": "2026-11-01",
        "cadre_household_cap": 3,
        "source": "开平市扶贫办 2026 年通知 (synthetic)",
    }
    assert (await client.put("/pairing/v1/policies", json=body, headers=APPROVER)).status_code == 204
    effective = (await client.get(f"/pairing/v1/policies/effective?area_code={V1}", headers=OFFICE)).json()
    assert (effective["preset"], effective["cadre_household_cap"], effective["visit_interval_days"]) == (
        "kaiping",
        3,
        30,
    )
    refused = await pair(client, "cadre_household", cadre, await household(app))
    assert (refused.status_code, refused.json()["rule"]) == (409, "cadre_cap")
    numbers = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert numbers["cadres_over_cap"] == 1


async def test_only_an_approver_of_the_area_sets_policy(client: httpx.AsyncClient) -> None:
    body = {"area_prefix": "440783", "valid_from": "2026-11-01", "cadre_household_cap": 3, "source": "x"}
    assert (await client.put("/pairing/v1/policies", json=body, headers=OFFICE)).status_code == 403
    elsewhere = auth(["approver"], "350502000000", sub="licheng-approver")
    assert (await client.put("/pairing/v1/policies", json=body, headers=elsewhere)).status_code == 404
    bad = {**body, "cadre_household_cap": 0}
    assert (await client.put("/pairing/v1/policies", json=bad, headers=APPROVER)).status_code == 422


async def test_the_staff_minimums_are_policy_data_an_approver_overrides(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Kaiping's preset asks 2 full-time staff of a town office and no village coordinator; a policy
    record may ask a coordinator of each village with exit tasks, and drop the town's number."""
    await area(app, TOWNSHIP, level="township")
    await area(app, V1, poor=True)
    await household(app, V1)  # a household still to lift out: an exit task in V1 and its township
    staffing = ("townships_without_staff", "villages_without_coordinator")

    async def numbers() -> list[int]:
        found = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
        return [found[k] for k in staffing]

    async def minimums() -> list[int | None]:
        effective = await client.get(
            "/pairing/v1/policies/effective", params={"area_code": V1}, headers=OFFICE
        )
        return [effective.json()[k] for k in ("township_staff_min", "village_coordinator_min")]

    assert await minimums() == [2, None]
    assert await numbers() == [1, 0]
    body = {
        "area_prefix": "440783",
        "valid_from": "2026-11-01",
        "township_staff_min": 0,
        "village_coordinator_min": 1,
        "source": "开平市扶贫办 2026 年通知 (synthetic)",
    }
    assert (await client.put("/pairing/v1/policies", json=body, headers=APPROVER)).status_code == 204
    assert await minimums() == [0, 1]
    assert await numbers() == [0, 1]
    assert (await client.post("/pairing/v1/coverage/checks", headers=APPROVER)).status_code == 200
    gaps = (await client.get("/pairing/v1/coverage/gaps", headers=OFFICE)).json()["items"]
    assert [(g["kind"], g["subject_id"], g["detail"]) for g in gaps if g["kind"] in STAFFING_GAPS] == [
        ("village_without_coordinator", V1, {"staff": 0, "minimum": 1})
    ]

    # changing the record needs its ETag; the coordinator asked no more, nothing is missing
    recorded = await client.get("/pairing/v1/policies/overrides/440783/2026-11-01", headers=OFFICE)
    assert recorded.json()["village_coordinator_min"] == 1
    changed = {**body, "village_coordinator_min": 0}
    assert (await client.put("/pairing/v1/policies", json=changed, headers=APPROVER)).status_code == 428
    r = await client.put(
        "/pairing/v1/policies", json=changed, headers=APPROVER | {"If-Match": recorded.headers["ETag"]}
    )
    assert r.status_code == 204, r.text
    assert await minimums() == [0, 0]
    assert await numbers() == [0, 0]
    for bad in (-1, "1", 51):
        r = await client.put(
            "/pairing/v1/policies",
            json={**body, "valid_from": "2026-11-02", "township_staff_min": bad},
            headers=APPROVER | {"Accept-Language": "zh"},
        )
        assert r.status_code == 422, (bad, r.text)
        assert "乡镇专职扶贫人员最少人数" in r.json()["detail"], r.text
