"""Pairings over HTTP on a real PostgreSQL: each kind's rule, allowed and refused, and scoping."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.pairing.models import Pairing
from shared.tables import audit_log, outbox
from tests.pairing.factories import (
    OFFICE,
    OTHER_COUNTY,
    V1,
    V2,
    V3,
    area,
    deliver,
    helper,
    household,
    pair,
    registry_event,
)
from tests.support import auth

pytestmark = pytest.mark.asyncio


async def _count(app: FastAPI, stmt) -> int:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        return int((await s.execute(stmt)).scalar_one())


async def test_registered_household_gets_one_cadre_and_a_second_is_refused_with_the_reason(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app)
    needs = (await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"]
    assert [n["household_id"] for n in needs] == [household_id]

    first, second = await helper(client), await helper(client)
    r = await pair(client, "cadre_household", first, household_id)
    assert r.status_code == 201, r.text
    assert (await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"] == []

    refused = await pair(client, "cadre_household", second, household_id)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["rule"] == "one_per_target"
    assert household_id in refused.json()["detail"]
    # the refusal changed nothing: one pairing, one opened event, one audit row for it
    assert await _count(app, select(func.count()).select_from(Pairing)) == 1
    assert await _count(app, select(func.count()).where(outbox.c.type == "pairing.pairing.opened.v1")) == 1
    assert await _count(app, select(func.count()).where(audit_log.c.action == "pairing.opened")) == 1


async def test_the_sixth_household_of_a_cadre_is_refused_under_the_cap_of_five(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre = await helper(client)
    for _ in range(5):
        assert (await pair(client, "cadre_household", cadre, await household(app))).status_code == 201
    sixth = await pair(client, "cadre_household", cadre, await household(app))
    assert sixth.status_code == 409
    assert sixth.json()["rule"] == "cadre_cap"
    assert "最多结对5户" in sixth.json()["detail"]


async def test_work_team_first_secretary_doctor_and_enterprise_on_villages(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await area(app, V1, poor=True, old_area=True)
    await area(app, V2)
    team, secretary = await helper(client, "work_team"), await helper(client, "first_secretary")
    assert (await pair(client, "work_team_village", team, V1)).status_code == 201
    assert (await pair(client, "first_secretary_village", secretary, V1)).status_code == 201
    not_poor = await pair(client, "work_team_village", await helper(client, "work_team"), V2)
    assert (not_poor.status_code, not_poor.json()["rule"]) == (409, "poor_village_only")

    doctor = await helper(client, "doctor", hospital_grade="2A", professional_title="intermediate")
    assert (await pair(client, "doctor_village", doctor, V1)).status_code == 201
    second_doctor = await helper(client, "doctor", hospital_grade="3A", professional_title="senior")
    assert (await pair(client, "doctor_village", second_doctor, V1)).json()["rule"] == "one_per_target"
    junior = await helper(client, "doctor", hospital_grade="3A", professional_title="junior")
    refused = (await pair(client, "doctor_village", junior, V1)).json()
    assert refused["rule"] == "doctor_qualification"
    # the clerk reads why, in Chinese, with the seed's bound (中级以上职称)
    assert refused["detail"] == "百医牵百村须由中级以上职称的医生对口联系，该医生职称为初级"
    small_hospital = await helper(client, "doctor", hospital_grade="2B", professional_title="senior")
    assert (await pair(client, "doctor_village", small_hospital, V1)).json()["detail"] == (
        "百医牵百村须由二级甲等或以上医院的医生对口联系，该医生所在医院等级为二级乙等"
    )

    enterprise = await helper(client, "enterprise")
    assert (await pair(client, "enterprise_village", enterprise, V1)).status_code == 201
    # Kaiping: 百企扶百村 pairs with key old-area villages only (重点帮扶老区村)
    not_old_area = (await pair(client, "enterprise_village", enterprise, V2)).json()
    assert not_old_area["rule"] == "old_area_village_only"
    assert not_old_area["detail"] == f"百企扶百村以重点帮扶老区村为帮扶对象，村 {V2} 不是老区村"


async def test_an_enterprise_takes_households_beside_their_cadre(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Jinzhou seed 000 (三): 市级领导包村、包户，县级领导、企业包户 — an enterprise pairs with households
    (as many as it takes); the household still needs its one in-system cadre."""
    h1, h2 = await household(app), await household(app)
    enterprise = await helper(client, "enterprise")
    first = await pair(client, "enterprise_household", enterprise, h1)
    assert first.status_code == 201, first.text
    assert (first.json()["kind"], first.json()["target_id"]) == ("enterprise_household", h1)
    assert (await pair(client, "enterprise_household", enterprise, h2)).status_code == 201
    another = await helper(client, "enterprise")
    assert (await pair(client, "enterprise_household", another, h1)).status_code == 201
    # an enterprise is not the household's cadre: both still wait for one
    needs = (await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"]
    assert {n["household_id"] for n in needs} == {h1, h2}
    again = (await pair(client, "enterprise_household", enterprise, h1)).json()
    assert again["rule"] == "duplicate"
    chamber = (await pair(client, "enterprise_household", await helper(client, "chamber"), h1)).json()
    assert chamber["rule"] == "helper_kind"
    labels = (await client.get("/pairing/v1/vocabulary", headers=OFFICE)).json()
    assert "企业包户" in str(labels)


async def test_ten_plus_one_volunteer_team(app: FastAPI, client: httpx.AsyncClient) -> None:
    h1, h2 = await household(app), await household(app)
    nine = await helper(client, "volunteer_team", party_member_count=9)
    too_small = (await pair(client, "volunteer_team_household", nine, h1)).json()
    assert too_small["rule"] == "volunteer_team_size"
    assert too_small["detail"] == "“10+1”帮扶小组须有10名以上党员义工，该小组只有9名"
    ten = await helper(client, "volunteer_team", party_member_count=10)
    assert (await pair(client, "volunteer_team_household", ten, h1)).status_code == 201
    assert (await pair(client, "volunteer_team_household", ten, h2)).json()["rule"] == "one_per_helper"


async def test_removed_household_closes_its_pairings_and_cannot_be_paired_again(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app)
    cadre, teacher = await helper(client), await helper(client, "teacher")
    await pair(client, "cadre_household", cadre, household_id)
    await pair(client, "professional_household", teacher, household_id)
    await household(app, household_id=household_id, event="removed", reason="duplicate file")

    active = (
        await client.get(f"/pairing/v1/pairings?target_id={household_id}&active=true", headers=OFFICE)
    ).json()
    assert active["items"] == []
    closed = (await client.get(f"/pairing/v1/pairings?target_id={household_id}", headers=OFFICE)).json()[
        "items"
    ]
    assert {p["end_reason"] for p in closed} == {"household_removed"}
    again = await pair(client, "cadre_household", await helper(client), household_id)
    assert again.status_code == 409
    assert again.json()["type"].endswith("household-not-pairable")
    assert again.json()["detail"] == (
        f"该户（{household_id}）当前状态为“已清退”，只有建档立卡户（或退出后仍享受政策的户）可以结对"
    )


async def test_exited_household_stays_paired_through_the_policy_period(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app)
    cadre = await helper(client)
    await pair(client, "cadre_household", cadre, household_id)
    await household(
        app,
        household_id=household_id,
        event="exited",
        policies_kept_until="2028-12-31",
        exit_request_id="e1",
        exited_on="2026-11-22",
    )
    shown = (await client.get(f"/pairing/v1/households/{household_id}", headers=OFFICE)).json()
    assert shown["status"] == "exited"
    assert [p["helper_id"] for p in shown["pairings"]] == [cadre]


async def test_a_caller_from_another_area_gets_404_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app, V3)
    cadre = await helper(client)
    elsewhere = auth(["registrar"], OTHER_COUNTY, sub="licheng-office")
    assert (await client.get(f"/pairing/v1/households/{household_id}", headers=elsewhere)).status_code == 404
    assert (await client.get(f"/pairing/v1/helpers/{cadre}", headers=elsewhere)).status_code == 404
    r = await client.post(
        "/pairing/v1/pairings",
        headers=elsewhere,
        json={"kind": "cadre_household", "helper_id": cadre, "target_id": household_id},
    )
    assert r.status_code == 404
    assert await _count(app, select(func.count()).select_from(Pairing)) == 0


async def test_a_cadre_cannot_open_pairings(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/pairing/v1/helpers",
        headers=auth(["cadre"], V1),
        json={"kind": "cadre", "name": "x", "area_code": V1},
    )
    assert r.status_code == 403


async def test_a_household_that_moves_county_is_served_and_scoped_where_it_now_lives(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app, V1)
    cadre = await helper(client)
    await pair(client, "cadre_household", cadre, household_id)
    moved_to = "440784101001"  # another county of Jiangmen (synthetic)
    await household(
        app,
        household_id=household_id,
        event="updated",
        area_code=moved_to,
        status="registered",
        change="attributes",
    )
    new_office = auth(["registrar"], "440784000000", sub="new-county")
    shown = await client.get(f"/pairing/v1/households/{household_id}", headers=new_office)
    assert shown.status_code == 200
    # the village cadre's area does not hold the new village: that pairing ended (test_household_moves)
    assert shown.json()["pairings"] == []
    needs = (await client.get("/pairing/v1/needs?status=open", headers=new_office)).json()["items"]
    assert [n["area_code"] for n in needs] == [moved_to]
    assert (await client.get(f"/pairing/v1/households/{household_id}", headers=OFFICE)).status_code == 404


async def test_the_same_registry_event_twice_changes_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    event = registry_event(
        "registry.household.registered.v1",
        {"household_id": str(uuid.uuid4()), "area_code": V1, "member_count": 2},
    )
    assert await deliver(app, event) is True
    assert await deliver(app, event) is False
    assert len((await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"]) == 1
    assert await _count(app, select(func.count()).where(outbox.c.type == "pairing.need.opened.v1")) == 1


async def test_a_pairing_ends_on_a_day_that_has_come_in_china(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """At 01:30 in Beijing (UTC still the day before) an end dated today (China's date) is taken;
    one dated later was taken too and unpaired the household at once, weeks before the day it named."""
    from datetime import UTC, datetime

    from shared.clock import clock

    household_id = await household(app, V1)
    pairing = (await pair(client, "cadre_household", await helper(client, area_code=V1), household_id)).json()
    url = f"/pairing/v1/pairings/{pairing['id']}/end"
    with clock.frozen(datetime(2026, 12, 5, 17, 30, tzinfo=UTC)):
        ahead = await client.post(url, headers=OFFICE, json={"ended_on": "2026-12-31", "reason": "调岗"})
        assert ahead.status_code == 422, ahead.text
        assert ahead.json()["type"].endswith("/date-in-future")
        assert "结对结束日期 2026-12-31 晚于今天（北京时间 2026-12-06）" in ahead.json()["detail"]
        shown = (await client.get(f"/pairing/v1/households/{household_id}", headers=OFFICE)).json()
        assert [p["id"] for p in shown["pairings"]] == [pairing["id"]]  # still paired
        today = await client.post(url, headers=OFFICE, json={"ended_on": "2026-12-06", "reason": "调岗"})
        assert today.status_code == 200, today.text
        assert today.json()["ended_on"] == "2026-12-06"


async def test_a_relapsed_household_keeps_no_exit_policy_period(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Exited (policies kept to 2029-12-05) and then relapsed: registry's card says no keep period;
    pairing's copy kept showing 2029-12-05 on a household poor and registered again."""
    household_id = await household(app, V1)
    await household(
        app,
        V1,
        household_id=household_id,
        event="exited",
        exited_on="2026-12-06",
        policies_kept_until="2029-12-05",
    )
    shown = (await client.get(f"/pairing/v1/households/{household_id}", headers=OFFICE)).json()
    assert (shown["status"], shown["policies_kept_until"]) == ("exited", "2029-12-05")
    await household(app, V1, household_id=household_id, event="relapsed", plan_year=2027)
    shown = (await client.get(f"/pairing/v1/households/{household_id}", headers=OFFICE)).json()
    assert (shown["status"], shown["policies_kept_until"]) == ("registered", None)
