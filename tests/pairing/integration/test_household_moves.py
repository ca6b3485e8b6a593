"""A household moves to another village (registry.household.updated.v1, change "moved"): pairings
whose helper's area still holds the new village carry on there, the others end as household_moved,
and a household left without a cadre gets a need where it now lives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import (
    COUNTY,
    OFFICE,
    TOWNSHIP,
    V1,
    V2,
    area,
    deliver,
    helper,
    household,
    pair,
    registry_event,
)
from tests.support import auth

pytestmark = pytest.mark.asyncio

OTHER_COUNTY_VILLAGE = "440784101001"  # another county of Jiangmen (synthetic)
V2_OFFICE = auth(["registrar"], V2, sub="v2-office")


def moved(household_id: str, to: str, *, status: str = "registered", frm: str = V1):  # type: ignore[no-untyped-def]
    return registry_event(
        "registry.household.updated.v1",
        {
            "household_id": household_id,
            "area_code": to,
            "status": status,
            "member_count": 3,
            "member_ids": [],
            "poverty_causes": ["illness"],
            "batches": [],
            "change": "moved",
            "from_area_code": frm,
            "moved_on": "2026-11-20",
            "reason": "relocation",
        },
    )


async def pairings_of(client: httpx.AsyncClient, household_id: str) -> list[dict]:  # type: ignore[type-arg]
    r = await client.get(f"/pairing/v1/pairings?target_id={household_id}", headers=OFFICE)
    return list(r.json()["items"])


async def test_a_village_cadre_stays_behind_and_the_household_needs_a_cadre_where_it_now_lives(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for code in (V1, V2):
        await area(app, code, poor=True)
    household_id = await household(app, V1)
    village_cadre = await helper(client, area_code=V1)
    assert (await pair(client, "cadre_household", village_cadre, household_id)).status_code == 201
    teacher = await helper(client, "teacher", area_code=V1)  # a village school's teacher
    assert (await pair(client, "professional_household", teacher, household_id)).status_code == 201
    team = await helper(client, "volunteer_team", area_code=TOWNSHIP, party_member_count=10)
    assert (await pair(client, "volunteer_team_household", team, household_id)).status_code == 201
    v2_cadre = await helper(client, area_code=V2)

    event = moved(household_id, V2)
    assert await deliver(app, event) is True

    by_kind = {p["kind"]: p for p in await pairings_of(client, household_id)}
    assert (by_kind["cadre_household"]["ended_on"], by_kind["cadre_household"]["end_reason"]) == (
        "2026-11-22",
        "household_moved",
    )
    assert by_kind["cadre_household"]["area_code"] == V1  # ended where it served
    assert by_kind["professional_household"]["end_reason"] == "household_moved"
    # the township's 10+1 team still holds the new village: it carries on there
    assert (
        by_kind["volunteer_team_household"]["ended_on"],
        by_kind["volunteer_team_household"]["area_code"],
    ) == (
        None,
        V2,
    )

    needs = (await client.get("/pairing/v1/needs?status=open", headers=V2_OFFICE)).json()["items"]
    assert [(n["household_id"], n["area_code"]) for n in needs] == [(household_id, V2)]
    suggested = (
        await client.get(f"/pairing/v1/households/{household_id}/suggestions", headers=OFFICE)
    ).json()
    assert suggested[0]["helper_id"] == v2_cadre  # the new village's cadre first
    coverage = (await client.get(f"/pairing/v1/coverage?area_code={V2}", headers=OFFICE)).json()
    assert coverage["households_without_cadre"] == 1

    # The same event again (a lost ack) changes nothing; pairing the new cadre fulfils the need.
    assert await deliver(app, event) is False
    assert len(await pairings_of(client, household_id)) == 3
    assert (await pair(client, "cadre_household", v2_cadre, household_id)).status_code == 201
    assert (await client.get("/pairing/v1/needs?status=open", headers=OFFICE)).json()["items"] == []
    # the needs by the status's word, as by its code; another word is a 422 naming the three
    for code, word in (("open", "待结对"), ("fulfilled", "已结对"), ("closed", "已关闭")):
        by_code = (await client.get("/pairing/v1/needs", params={"status": code}, headers=OFFICE)).json()
        by_word = (await client.get("/pairing/v1/needs", params={"status": word}, headers=OFFICE)).json()
        assert by_word["items"] == by_code["items"], (word, by_word)
        assert {(n["status"], n["status_label"]) for n in by_code["items"]} <= {(code, word)}
    fulfilled = await client.get("/pairing/v1/needs", params={"status": "已结对"}, headers=OFFICE)
    shown = [(n["household_id"], n["area_code"], n["status_label"]) for n in fulfilled.json()["items"]]
    assert (household_id, V2, "已结对") in shown  # the word the clerk reads next to the code
    chinese = OFFICE | {"Accept-Language": "zh"}
    r = await client.get("/pairing/v1/needs", params={"status": "已帮扶"}, headers=chinese)
    assert r.status_code == 422, r.text
    assert "查询参数状态应为以下之一：待结对、已结对、已关闭" in r.json()["detail"], r.text


async def test_a_cadre_whose_area_holds_the_new_village_keeps_the_household(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app, V1)
    township_cadre = await helper(client, area_code=TOWNSHIP)
    assert (await pair(client, "cadre_household", township_cadre, household_id)).status_code == 201
    county_doctor = await helper(client, "doctor", area_code=COUNTY)
    assert (await pair(client, "professional_household", county_doctor, household_id)).status_code == 201

    await deliver(app, moved(household_id, V2))

    active = [p for p in await pairings_of(client, household_id) if p["ended_on"] is None]
    assert sorted((p["kind"], p["area_code"]) for p in active) == [
        ("cadre_household", V2),
        ("professional_household", V2),
    ]
    assert (await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"] == []
    shown = await client.get(f"/pairing/v1/households/{household_id}", headers=V2_OFFICE)
    assert (shown.status_code, shown.json()["area_code"]) == (200, V2)

    # Leaving the county: the township cadre and the county's doctor both stay behind.
    await deliver(app, moved(household_id, OTHER_COUNTY_VILLAGE, frm=V2))
    assert {p["end_reason"] for p in await pairings_of(client, household_id)} == {"household_moved"}
    new_county = auth(["registrar"], "440784000000", sub="new-county")
    needs = (await client.get("/pairing/v1/needs?status=open", headers=new_county)).json()["items"]
    assert [n["area_code"] for n in needs] == [OTHER_COUNTY_VILLAGE]


async def test_an_exited_household_in_its_policy_period_gets_a_new_cadre_need_after_moving(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app, V1)
    cadre = await helper(client, area_code=V1)
    await pair(client, "cadre_household", cadre, household_id)
    await household(
        app,
        household_id=household_id,
        event="exited",
        policies_kept_until="2028-12-31",
        exit_request_id=str(uuid.uuid4()),
        exited_on="2026-11-01",
    )
    await deliver(app, moved(household_id, V2, status="exited"))
    assert [p["end_reason"] for p in await pairings_of(client, household_id)] == ["household_moved"]
    needs = (await client.get("/pairing/v1/needs?status=open", headers=OFFICE)).json()["items"]
    assert [(n["household_id"], n["area_code"]) for n in needs] == [(household_id, V2)]


async def test_a_move_recorded_at_one_in_the_morning_china_time_ends_pairings_on_china_s_date(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """An event stamped 2026-11-22 17:00 UTC happened at 01:00 on 23 November in the office: the
    pairing it ends ends on the 23rd (the date the clerk sees), not UTC's 22nd."""
    for code in (V1, V2):
        await area(app, code, poor=True)
    household_id = await household(app, V1)
    village_cadre = await helper(client, area_code=V1)
    assert (await pair(client, "cadre_household", village_cadre, household_id)).status_code == 201

    event = moved(household_id, V2)
    event = event.model_copy(update={"time": datetime(2026, 11, 22, 17, tzinfo=UTC)})
    assert await deliver(app, event) is True

    (ended,) = await pairings_of(client, household_id)
    assert (ended["ended_on"], ended["end_reason"]) == ("2026-11-23", "household_moved")
