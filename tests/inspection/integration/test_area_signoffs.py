"""Village and county exit dossiers on real PostgreSQL (seed 003: the township 3, the county 4 and
the city 2 sign a poor village's exit; the city 2 a poor county's): order, roles, areas, outcome
events, signer sets per kind as policy data, and third-party samples of exited villages."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services.inspection.consumers import HANDLERS
from shared.events.consumer import handle_event
from shared.tables import outbox
from tests.inspection.integration.helpers import VILLAGE, app_for, event, signer
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
OTHER_TOWN_VILLAGE = "620521102203"
S = "/inspection/v1/signoffs"
TOWNSHIP_3 = ["township_party_secretary", "township_head", "township_poverty_station_chief"]
COUNTY_4 = [
    "county_party_secretary",
    "county_head",
    "county_poverty_office_director",
    "county_statistics_director",
]
CITY_2 = ["city_party_secretary", "mayor"]
INSPECTOR = auth("inspector", "620000000000")


def area_exit_requested(area: str = VILLAGE, kind: str = "village", **extra):  # type: ignore[no-untyped-def]
    data = {
        "exit_request_id": str(uuid.uuid4()),
        "area_code": area,
        "area_name": "合成一村" if kind == "village" else "清水县",
        "kind": kind,
        "year": 2018,
        "poor_persons": 9,
        "rural_population": 300,
        "criteria": [{"criterion": "incidence", "passed": True, "detail": "9/300 = 3.0000%"}],
        "requested_on": "2018-12-01",
        **extra,
    }
    return event("registry.area.exit_requested.v1", data, subject=area)


async def _open(app, ev) -> None:  # type: ignore[no-untyped-def]
    assert await handle_event(app.state.db, "inspection", ev, HANDLERS)


async def _dossier(client, ev, reader=INSPECTOR) -> dict:  # type: ignore[no-untyped-def]
    r = await client.get(f"{S}?kind={ev.data['kind']}", headers=reader)
    assert r.status_code == 200, r.text
    return next(d for d in r.json()["items"] if d["exit_request_id"] == ev.data["exit_request_id"])


async def _events(app, type_: str) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        rows = (await s.execute(select(outbox.c.envelope).where(outbox.c.type == type_))).scalars().all()
    return [r["data"] for r in rows]


async def test_a_village_exit_is_signed_by_the_township_3_the_county_4_and_the_city_2_in_order(
    make_db,
) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        ev = area_exit_requested()
        await _open(app, ev)
        assert not await handle_event(app.state.db, "inspection", ev, HANDLERS), "redelivery opens nothing"
        d = await _dossier(c, ev)
        assert (d["kind"], d["household_id"], d["area_code"], d["area_name"]) == (
            "village",
            None,
            VILLAGE,
            "合成一村",
        )
        assert d["scheme_code"] == "gansu-village-342"
        assert [lv["level"] for lv in d["levels"]] == ["township", "county", "city"]
        assert [len(lv["steps"]) for lv in d["levels"]] == [3, 4, 2]
        assert d["current_level"] == "township"
        assert d["criteria"] == ev.data["criteria"]
        url = f"{S}/{d['id']}"

        # the village's own cadres do not sign a village's exit
        r = await c.post(
            f"{url}/signatures", json={"position": "village_head"}, headers=signer("village_head")
        )
        assert r.status_code == 422
        assert r.json()["type"].endswith("/signoff-position-unknown")
        assert r.json()["detail"] == (  # the positions in the clerk's words, no scheme code
            "岗位“村主任”不在本档案的签字流程中；可签字的岗位："
            "乡党委书记、乡长、乡扶贫工作站站长、县委书记、县长、县扶贫办主任、县统计局局长、市委书记、市长"
        )
        # out of order: the county before the township has finished
        r = await c.post(f"{url}/signatures", json={"position": "county_head"}, headers=signer("county_head"))
        assert r.status_code == 409
        assert r.json()["type"].endswith("/signoff-level-not-reached")
        # wrong role
        r = await c.post(f"{url}/signatures", json={"position": "township_head"}, headers=signer("mayor"))
        assert r.status_code == 403
        assert r.json()["type"].endswith("/signer-lacks-position")
        # the head of another township does not even see this village's dossier
        r = await c.post(
            f"{url}/signatures",
            json={"position": "township_head"},
            headers=signer("township_head", OTHER_TOWN_VILLAGE),
        )
        assert r.status_code == 404
        # a county official signing as a township one (wrong level)
        r = await c.post(
            f"{url}/signatures",
            json={"position": "township_head"},
            headers=signer("township_head", area=COUNTY),
        )
        assert r.status_code == 403
        assert r.json()["type"].endswith("/signer-area-mismatch")

        for i, position in enumerate(TOWNSHIP_3 + COUNTY_4 + CITY_2, start=1):
            r = await c.post(f"{url}/signatures", json={"position": position}, headers=signer(position))
            assert r.status_code == 201, (position, r.text)
            assert r.json()["status"] == ("verified" if i == 9 else "open")
        (verified,) = await _events(app, "inspection.area_exit.verified.v1")
        assert verified["exit_request_id"] == ev.data["exit_request_id"]
        assert (verified["area_code"], verified["kind"], verified["dossier_id"]) == (
            VILLAGE,
            "village",
            d["id"],
        )
        assert verified["verified_on"]
        assert await _events(app, "inspection.exit.verified.v1") == []  # not a household's event
        r = await c.post(f"{url}/signatures", json={"position": "mayor"}, headers=signer("mayor"))
        assert r.status_code == 409


async def test_a_county_exit_is_signed_by_the_city_2_and_a_refusal_carries_its_reason(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        ok, bad = area_exit_requested(COUNTY, "county"), area_exit_requested(COUNTY, "county")
        await _open(app, ok)
        d = await _dossier(c, ok)
        assert d["scheme_code"] == "gansu-county-2"
        assert [(lv["level"], [s["position"] for s in lv["steps"]]) for lv in d["levels"]] == [
            ("city", CITY_2)
        ]
        # the mayor's role held at the wrong level (the province) is refused; another city's
        # mayor does not even see the dossier
        r = await c.post(
            f"{S}/{d['id']}/signatures",
            json={"position": "mayor"},
            headers=signer("mayor", area="620000000000"),
        )
        assert r.status_code == 403
        assert r.json()["type"].endswith("/signer-area-mismatch")
        r = await c.post(
            f"{S}/{d['id']}/signatures",
            json={"position": "mayor"},
            headers=signer("mayor", area="620600000000"),
        )
        assert r.status_code == 404
        # a county head has no step in a county's exit
        r = await c.post(
            f"{S}/{d['id']}/signatures",
            json={"position": "county_head"},
            headers=signer("county_head", COUNTY),
        )
        assert r.status_code == 422
        for position in CITY_2:
            r = await c.post(
                f"{S}/{d['id']}/signatures", json={"position": position}, headers=signer(position, COUNTY)
            )
            assert r.status_code == 201, r.text
        assert r.json()["status"] == "verified"
        (verified,) = await _events(app, "inspection.area_exit.verified.v1")
        assert (verified["area_code"], verified["kind"]) == (COUNTY, "county")

        # a second county request (synthetic) refused by the city party secretary
        await _open(app, bad)
        d2 = await _dossier(c, bad)
        reason = "县域内义务教育保障未达标"
        r = await c.post(
            f"{S}/{d2['id']}/refusals",
            json={"position": "city_party_secretary", "reason": reason},
            headers=signer("city_party_secretary", COUNTY),
        )
        assert r.status_code == 201, r.text
        assert (r.json()["status"], r.json()["refusal_reason"]) == ("rejected", reason)
        (rejected,) = await _events(app, "inspection.area_exit.rejected.v1")
        assert rejected == {
            "exit_request_id": bad.data["exit_request_id"],
            "area_code": COUNTY,
            "kind": "county",
            "dossier_id": d2["id"],
            "level": "city",
            "step": "city_party_secretary",
            "reason": reason,
        }


async def test_signer_sets_per_kind_are_policy_records(make_db) -> None:
    app = app_for(make_db)
    admin = auth("admin", "510000000000")
    async with service_client(app) as c:
        r = await c.get(f"/inspection/v1/signoff-schemes/{VILLAGE}?kind=village", headers=INSPECTOR)
        assert (r.json()["code"], r.json()["kind"], r.json()["source"]) == (
            "gansu-village-342",
            "village",
            "preset",
        )
        # the screen's word for the kind is taken too, and said next to the code
        r = await c.get(
            f"/inspection/v1/signoff-schemes/{VILLAGE}", params={"kind": "贫困村退出"}, headers=INSPECTOR
        )
        assert (r.json()["code"], r.json()["kind"], r.json()["kind_label"]) == (
            "gansu-village-342",
            "village",
            "贫困村退出",
        )
        r = await c.get(
            f"/inspection/v1/signoff-schemes/{VILLAGE}", params={"kind": "town"}, headers=INSPECTOR
        )
        assert r.status_code == 422, r.text
        assert "应为以下之一：贫困户退出、贫困村退出、贫困县摘帽" in r.json()["detail"], r.text
        r = await c.get(f"/inspection/v1/signoff-schemes/{VILLAGE}", headers=INSPECTOR)
        assert r.json()["code"] == "gansu-4342"  # the household set is untouched
        assert (r.json()["kind"], r.json()["kind_label"]) == ("household", "贫困户退出")
        # a county's exit cannot be signed in a village or township; an area has no household signer
        r = await c.put(
            "/inspection/v1/signoff-schemes/5108?kind=county",
            json={"code": "bad", "levels": [{"level": "township", "positions": ["township_head"]}]},
            headers=admin,
        )
        assert r.status_code == 422
        r = await c.put(
            "/inspection/v1/signoff-schemes/5108?kind=village",
            json={
                "code": "bad",
                "levels": [{"level": "village", "positions": ["exit_household"]}],
                "household_position": "exit_household",
            },
            headers=admin,
        )
        assert r.status_code == 422
        # Guangyuan records its own village set: the township 2 and the county 2
        mine = {
            "code": "guangyuan-village",
            "levels": [
                {"level": "township", "positions": ["township_party_secretary", "township_head"]},
                {"level": "county", "positions": ["county_party_secretary", "county_head"]},
            ],
        }
        r = await c.put(
            "/inspection/v1/signoff-schemes/5108", params={"kind": "贫困村退出"}, json=mine, headers=admin
        )
        assert r.status_code == 200, r.text
        assert (r.json()["kind"], r.json()["kind_label"]) == ("village", "贫困村退出")
        ev = area_exit_requested("510802101201")
        await _open(app, ev)
        d = await _dossier(c, ev, auth("inspector", "510000000000"))
        assert d["scheme_code"] == "guangyuan-village"
        hh = (await c.get("/inspection/v1/signoff-schemes/510802101201", headers=admin)).json()
        assert hh["code"] == "gansu-4342"
        # a village code announced as a county exit is a broken event: nothing opens
        assert await handle_event(
            app.state.db, "inspection", area_exit_requested(VILLAGE, "county"), HANDLERS
        )
        assert len((await c.get(f"{S}?kind=county", headers=INSPECTOR)).json()["items"]) == 0


async def test_third_party_samples_draw_exited_villages_per_county(make_db) -> None:
    app = app_for(make_db)
    villages = [f"620521101{n:03d}" for n in range(201, 206)] + ["620522101201"]
    async with service_client(app) as c:
        for v in villages:
            data = {
                "exit_request_id": str(uuid.uuid4()),
                "area_code": v,
                "kind": "village",
                "year": 2018,
                "exited_on": "2018-12-20",
                "dossier_id": "d",
            }
            assert await handle_event(
                app.state.db, "inspection", event("registry.area.exited.v1", data), HANDLERS
            )
        evaluator = auth("evaluator", "620000000000")
        body = {"area_code": "620000000000", "year": 2018, "seed": "2018-12-31 published", "unit": "village"}
        r = await c.post("/inspection/v1/samples", json=body, headers=evaluator)
        assert r.status_code == 201, r.text
        sample = r.json()
        assert (sample["unit"], sample["population"]) == ("village", 6)
        # 1/10 with at least 2 per county: 2 of 620521's five, the one of 620522
        assert sample["size"] == 3
        assert all(i["household_id"] is None for i in sample["items"])
        drawn = [i["village_code"] for i in sample["items"]]
        assert "620522101201" in drawn
        assert sum(v.startswith("620521") for v in drawn) == 2
        again = await c.post("/inspection/v1/samples", json=body, headers=evaluator)
        assert [i["village_code"] for i in again.json()["items"]] == drawn  # reproducible from the seed
        r = await c.post(
            f"/inspection/v1/samples/{sample['id']}/verdicts",
            json={"village_code": drawn[0], "verdict": "wrongly_exited", "note": "贫困发生率核实为4.1%"},
            headers=evaluator,
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            f"/inspection/v1/samples/{sample['id']}/verdicts",
            json={"household_id": "x", "verdict": "correct"},
            headers=evaluator,
        )
        assert r.status_code == 409
        rates = (
            await c.get(f"/inspection/v1/samples/{sample['id']}/error-rates?level=county", headers=evaluator)
        ).json()
        by_area = {x["area_code"]: x for x in rates}
        assert by_area[drawn[0][:6] + "000000"]["wrongly_exited"] == 1
        # households are still the default population: none exited here, so there is nothing to draw
        r = await c.post("/inspection/v1/samples", json=body | {"unit": "household"}, headers=evaluator)
        assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (409, "nothing-to-sample"), r.text


async def test_the_dossier_list_takes_the_kind_by_the_sign_off_screens_word(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        village, county = area_exit_requested(VILLAGE, "village"), area_exit_requested(COUNTY, "county")
        await _open(app, village)
        await _open(app, county)

        async def requests(kind: str) -> list[str]:
            r = await c.get(S, params={"kind": kind}, headers=INSPECTOR)
            assert r.status_code == 200, r.text
            return [d["exit_request_id"] for d in r.json()["items"]]

        assert await requests("贫困村退出") == await requests("village") == [village.data["exit_request_id"]]
        assert await requests(" 贫困县摘帽 ") == await requests("county") == [county.data["exit_request_id"]]
        assert await requests("贫困户退出") == await requests("household") == []
        r = await c.get(S, params={"kind": "贫困乡退出"}, headers=INSPECTOR | {"Accept-Language": "zh"})
        assert r.status_code == 422, r.text
        assert "查询参数类别应为以下之一：贫困户退出、贫困村退出、贫困县摘帽" in r.json()["detail"], r.text
        r = await c.get(S, params={"kind": "town"}, headers=INSPECTOR | {"Accept-Language": "en"})
        assert "'household', 'village' or 'county'" in r.json()["detail"], r.text
