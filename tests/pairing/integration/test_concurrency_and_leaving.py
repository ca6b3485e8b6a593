"""Rules hold under concurrent requests; a leaving first secretary leaves a visible gap."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import OFFICE, V1, V2, area, helper, household, pair

pytestmark = pytest.mark.asyncio


async def test_two_requests_for_a_cadres_last_slot_give_one_pairing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre = await helper(client)
    for _ in range(4):
        await pair(client, "cadre_household", cadre, await household(app))
    a, b = await household(app), await household(app)
    results = await asyncio.gather(
        pair(client, "cadre_household", cadre, a), pair(client, "cadre_household", cadre, b)
    )
    assert sorted(r.status_code for r in results) == [201, 409]
    listed = (await client.get(f"/pairing/v1/pairings?helper_id={cadre}&active=true", headers=OFFICE)).json()
    assert len(listed["items"]) == 5


async def test_two_cadres_racing_for_one_household_give_one_pairing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app)
    first, second = await helper(client), await helper(client)
    results = await asyncio.gather(
        pair(client, "cadre_household", first, household_id),
        pair(client, "cadre_household", second, household_id),
    )
    assert sorted(r.status_code for r in results) == [201, 409]


async def test_without_named_receivers_the_county_s_cadres_take_over(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    leaving = await helper(client, area_code=V1)
    households = [await household(app, V1) for _ in range(2)]
    for h in households:
        await pair(client, "cadre_household", leaving, h)
    colleague = await helper(client, area_code=V2)
    r = await client.post(
        f"/pairing/v1/helpers/{leaving}/leave", headers=OFFICE, json={"left_on": "2026-11-22"}
    )
    assert r.status_code == 200, r.text
    assert {i["to_helper_id"] for i in r.json()["handed_over"]} == {colleague}


async def test_a_leaving_first_secretary_leaves_the_village_as_a_gap(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await area(app, V1, poor=True)
    team, secretary = await helper(client, "work_team"), await helper(client, "first_secretary")
    await pair(client, "work_team_village", team, V1)
    await pair(client, "first_secretary_village", secretary, V1)
    before = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert before["villages_without_first_secretary"] == 0
    r = await client.post(
        f"/pairing/v1/helpers/{secretary}/leave", headers=OFFICE, json={"left_on": "2026-11-22"}
    )
    assert r.status_code == 200
    assert len(r.json()["closed_pairings"]) == 1
    after = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert (after["villages_without_first_secretary"], after["villages_without_work_team"]) == (1, 0)
    again = await client.post(
        f"/pairing/v1/helpers/{secretary}/leave", headers=OFFICE, json={"left_on": "2026-11-22"}
    )
    assert again.status_code == 409


async def test_a_work_team_with_its_first_secretary_is_resident_in_one_village(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await area(app, V1, poor=True)
    await area(app, V2, poor=True)
    team = await helper(client, "work_team")
    secretary = await helper(client, "first_secretary", team_id=team)
    member = await helper(client, "work_team_member", team_id=team)
    shown = (await client.get(f"/pairing/v1/helpers/{member}", headers=OFFICE)).json()
    assert shown["team_id"] == team
    await pair(client, "work_team_village", team, V1)
    elsewhere = await pair(client, "first_secretary_village", secretary, V2)
    assert (elsewhere.status_code, elsewhere.json()["rule"]) == (409, "team_village")
    assert elsewhere.json()["detail"] == f"第一书记所在的驻村工作队驻在 {V1}，不在 {V2}"
    assert (await pair(client, "first_secretary_village", secretary, V1)).status_code == 201
    wrong = await client.post(
        "/pairing/v1/helpers",
        headers=OFFICE,
        json={"kind": "doctor", "name": "x", "area_code": V1, "team_id": team},
    )
    assert (wrong.status_code, wrong.json()["rule"]) == (409, "team_kind")
    assert wrong.json()["detail"] == "“医生”不属于任何工作队，不填所属工作队"
    volunteer = await client.post(
        "/pairing/v1/helpers",
        headers=OFFICE,
        json={"kind": "volunteer", "name": "x", "area_code": V1, "team_id": team},
    )
    assert volunteer.json()["detail"] == "“义工”应属于“党员义工帮扶小组”，不能加入“驻村工作队”"


async def test_a_leave_dated_in_the_future_is_refused(client: httpx.AsyncClient) -> None:
    cadre = await helper(client)
    r = await client.post(
        f"/pairing/v1/helpers/{cadre}/leave", headers=OFFICE, json={"left_on": "2026-11-23"}
    )
    # a refusal by today's date, not a malformed body: 409 with the rule and the reason in Chinese
    assert (r.status_code, r.json()["rule"]) == (409, "leave_in_future")
    assert r.json()["detail"] == "离岗发生后再登记：2026-11-23 还未到"
    assert (await client.get(f"/pairing/v1/helpers/{cadre}", headers=OFFICE)).json()["active"] is True


async def test_a_leave_before_a_pairing_began_is_refused_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre, household_id = await helper(client), await household(app)
    paired = await pair(client, "cadre_household", cadre, household_id, started_on="2026-11-01")
    assert paired.status_code == 201
    leave = f"/pairing/v1/helpers/{cadre}/leave"
    r = await client.post(leave, headers=OFFICE, json={"left_on": "2026-10-31"})
    assert (r.status_code, r.json()["rule"]) == (409, "leave_before_pairing")
    assert "晚于离岗日 2026-10-31" in r.json()["detail"]
    assert (await client.get(f"/pairing/v1/helpers/{cadre}", headers=OFFICE)).json()["active"] is True
