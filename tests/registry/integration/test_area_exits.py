"""Village and county exit requests in the registry on real PostgreSQL: criteria one by one,
409 problem+json when not eligible, the verdict events from inspection, roll-ups per year."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.registry.consumers import HANDLERS
from shared.clock import clock
from shared.events import CloudEvent
from shared.events.consumer import handle_event
from shared.policy_documents import GUANGYUAN_MECHANISMS
from shared.tables import outbox
from tests.registry.integration.area_exit_helpers import (
    GANSU_CLERK,
    GANSU_COUNTY,
    GANSU_COUNTY_FACTORS,
    GANSU_FACTORS,
    GANSU_NOT_POOR,
    GANSU_TOWN,
    GANSU_VILLAGE,
    GANSU_VILLAGE_299,
    GUANGYUAN_CLERK,
    GUANGYUAN_VILLAGE,
    INCIDENCE_BELOW_3,
    declared,
    load_places,
    poor_households,
)
from tests.registry.integration.helpers import registry_app
from tests.support import auth, service_client
from tests.support.conditional import assert_conditional_put

pytestmark = pytest.mark.asyncio
R = "/registry/v1"


async def _events(app, type_: str) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        rows = (await s.execute(select(outbox.c.envelope).where(outbox.c.type == type_))).scalars().all()
    return [r["data"] for r in rows]


def verdict(kind: str, req: dict, **data) -> CloudEvent:  # type: ignore[no-untyped-def]
    return CloudEvent(
        source="jingzhun/inspection",
        type=f"inspection.area_exit.{kind}.v1",
        subject=req["area_code"],
        data={
            "exit_request_id": req["id"],
            "area_code": req["area_code"],
            "kind": req["kind"],
            "dossier_id": "d-area-1",
            **data,
        },
    )


async def test_gansu_village_at_exactly_3_percent_asks_to_exit_and_criteria_are_explained(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE, [4, 3, 2])  # 9 poor of 300 rural = 3.00%
        r = await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-eligibility?year=2018", headers=GANSU_CLERK)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["kind"], body["poor_persons"], body["rural_population"]) == ("village", 9, 300)
        assert body["policy"]["area_prefix"] == "62"
        crit = {x["criterion"]: x for x in body["criteria"]}
        assert list(crit) == ["incidence", *GANSU_FACTORS]
        assert crit["incidence"]["passed"] is True
        assert crit["incidence"]["detail"] == (
            "incidence 9 poor / 300 rural = 3.0000% (meets: must be at or below 3.00%)"
        )
        assert crit["infrastructure"]["passed"] is False
        assert crit["infrastructure"]["blocking"] is False
        assert body["eligible"] is False  # the weighed factors must still be declared

        # without the factors: 409 problem+json naming each missing one
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json={"year": 2018}, headers=GANSU_CLERK)
        assert r.status_code == 409
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"].endswith("/area-exit-not-eligible")
        assert "infrastructure: not declared" in r.json()["detail"]
        zh = await c.post(
            f"{R}/areas/{GANSU_VILLAGE}/exit-requests",
            json={"year": 2018},
            headers=GANSU_CLERK | {"Accept-Language": "zh-CN"},
        )
        assert zh.json()["detail"].startswith(f"{GANSU_VILLAGE} 未达到贫困村退出标准，未达标的项目：")
        assert "村内基础设施；" in zh.json()["detail"]
        assert "village infrastructure" not in zh.json()["detail"]  # the clerk reads Chinese only

        ask = {"year": 2018, "declared": declared(GANSU_FACTORS)}
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 201, r.text
        req = r.json()
        assert (req["status"], req["kind"], req["poor_persons"]) == ("pending", "village", 9)
        assert req["status_label"] == "审核中"  # the word the sign-off screen reads next to the code
        assert req["criteria"][1]["evidence"] == declared(GANSU_FACTORS)[0]["evidence"]
        (event,) = await _events(app, "registry.area.exit_requested.v1")
        assert event["exit_request_id"] == req["id"]
        assert (event["area_code"], event["kind"], event["year"]) == (GANSU_VILLAGE, "village", 2018)
        assert [x["criterion"] for x in event["criteria"]] == ["incidence", *GANSU_FACTORS]

        # one request waiting at a time
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/area-exit-open")
        status = (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-status", headers=GANSU_CLERK)).json()
        assert status["exited"] is False
        assert status["pending_request_id"] == req["id"]


async def test_gansu_village_at_3_01_percent_is_refused_with_the_incidence_named(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE_299, [5, 4])  # 9 of 299 = 3.0100…%
        ask = {"year": 2018, "declared": declared(GANSU_FACTORS)}
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE_299}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 409
        problem = r.json()
        assert problem["type"].endswith("/area-exit-not-eligible")
        failed = [x["criterion"] for x in problem["criteria"] if not x["passed"]]
        assert failed == ["incidence"]
        assert "9 poor / 299 rural = 3.0100%" in problem["detail"]
        assert await _events(app, "registry.area.exit_requested.v1") == []


async def test_only_poor_villages_and_counties_exit_and_declarations_must_fit(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        ask = {"year": 2018, "declared": declared(GANSU_FACTORS)}
        for code in (GANSU_NOT_POOR, GANSU_TOWN):
            r = await c.post(f"{R}/areas/{code}/exit-requests", json=ask, headers=GANSU_CLERK)
            assert r.status_code == 409, code
            assert r.json()["type"].endswith("/area-exit-not-applicable")
        bad = {"year": 2018, "declared": declared(["swimming_pool"])}
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=bad, headers=GANSU_CLERK)
        assert r.status_code == 422
        assert r.json()["type"].endswith("/invalid-declaration")
        # the clerk reading Chinese is told what is wrong with each declared fact
        blank = {"year": 2018, "declared": [{"criterion": "industry", "value": True, "evidence": ["  "]}]}
        zh = GANSU_CLERK | {"Accept-Language": "zh-CN"}
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=blank, headers=zh)
        assert (r.status_code, r.json()["detail"]) == (422, "“产业发展”须至少附一项佐证材料")
        assert r.json()["problems"] == ["“产业发展”须至少附一项佐证材料"]  # the list in Chinese too
        en = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=blank, headers=GANSU_CLERK)  # en
        assert en.json()["problems"] == ["industry: at least one evidence reference"]
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=bad, headers=zh)
        assert r.json()["detail"].startswith("“swimming_pool”不是本地区退出标准中的一项（可申报：")
        no_evidence = {"year": 2018, "declared": [{"criterion": "industry", "value": True, "evidence": []}]}
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=no_evidence, headers=GANSU_CLERK)
        assert r.status_code == 422
        # a cadre (no registrar/approver role) cannot ask, and another province's clerk sees nothing
        r = await c.post(
            f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=auth("cadre", GANSU_COUNTY)
        )
        assert r.status_code == 403
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GUANGYUAN_CLERK)
        assert r.status_code == 404


async def test_verified_marks_the_village_exited_once_and_rollups_count_it(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE, [3])
        ask = {"year": 2018, "declared": declared(GANSU_FACTORS)}
        req = (await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GANSU_CLERK)).json()
        event = verdict("verified", req, verified_on="2018-12-20")
        assert await handle_event(app.state.db, "registry", event, HANDLERS)
        assert not await handle_event(app.state.db, "registry", event, HANDLERS)  # redelivery
        # a late refusal for the same request changes nothing either
        assert await handle_event(
            app.state.db,
            "registry",
            verdict("rejected", req, level="city", step="mayor", reason="x"),
            HANDLERS,
        )
        got = (await c.get(f"{R}/area-exit-requests/{req['id']}", headers=GANSU_CLERK)).json()
        assert (got["status"], got["decided_on"], got["dossier_id"]) == ("verified", "2018-12-20", "d-area-1")
        status = (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-status", headers=GANSU_CLERK)).json()
        assert (status["exited"], status["exited_on"], status["year"]) == (True, "2018-12-20", 2018)
        (exited,) = await _events(app, "registry.area.exited.v1")
        assert (exited["area_code"], exited["kind"], exited["exited_on"]) == (
            GANSU_VILLAGE,
            "village",
            "2018-12-20",
        )

        county = (await c.get(f"{R}/rollups/{GANSU_COUNTY}?year=2018", headers=GANSU_CLERK)).json()
        assert county["exited_villages_by_year"] == {"2018": 1}
        assert county["exited_counties_by_year"] == {}
        listed = (
            await c.get(f"{R}/area-exit-requests?status=verified&kind=village&year=2018", headers=GANSU_CLERK)
        ).json()
        assert [x["area_code"] for x in listed["items"]] == [GANSU_VILLAGE]
        # the kind by the request screen's word finds what the code finds; a word on no list is a 422
        kinds = (("贫困村退出", [GANSU_VILLAGE]), (" 贫困村退出 ", [GANSU_VILLAGE]), ("贫困县摘帽", []))
        for kind, areas in kinds:
            r = await c.get(f"{R}/area-exit-requests", params={"kind": kind}, headers=GANSU_CLERK)
            assert [x["area_code"] for x in r.json()["items"]] == areas, (kind, r.text)
        chinese = GANSU_CLERK | {"Accept-Language": "zh-CN"}
        r = await c.get(f"{R}/area-exit-requests", params={"kind": "贫困乡退出"}, headers=chinese)
        assert r.status_code == 422, r.text
        assert "查询参数类别应为以下之一：贫困村退出、贫困县摘帽" in r.json()["detail"], r.text
        # the status likewise, by the sign-off screen's word
        statuses = (("已核验通过", [GANSU_VILLAGE]), (" 已核验通过 ", [GANSU_VILLAGE]), ("审核中", []))
        for status_word, areas in (*statuses, ("已退回", []), ("verified", [GANSU_VILLAGE])):
            r = await c.get(f"{R}/area-exit-requests", params={"status": status_word}, headers=GANSU_CLERK)
            assert [x["area_code"] for x in r.json()["items"]] == areas, (status_word, r.text)
        r = await c.get(f"{R}/area-exit-requests", params={"status": "已通过"}, headers=chinese)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json", r.text
        assert "查询参数状态应为以下之一：审核中、已核验通过、已退回、已作废" in r.json()["detail"], r.text
        english = GANSU_CLERK | {"Accept-Language": "en"}
        r = await c.get(f"{R}/area-exit-requests", params={"status": "已通过"}, headers=english)
        assert "'pending', 'verified', 'returned' or 'void'" in r.json()["detail"], r.text
        # exited once: a new request is refused
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 409
        assert "has exited" in r.json()["detail"]


async def test_a_refusal_returns_the_request_with_its_reason_and_a_new_one_may_follow(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        ask = {"year": 2018, "declared": declared(GANSU_FACTORS)}
        req = (await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GANSU_CLERK)).json()
        reason = "村卫生室未达标，道路硬化未完成"
        event = verdict("rejected", req, level="county", step="county_head", reason=reason)
        assert await handle_event(app.state.db, "registry", event, HANDLERS)
        (got,) = (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", headers=GANSU_CLERK)).json()
        assert (got["status"], got["status_label"]) == ("returned", "已退回")
        assert got["reason"] == f"{reason}（县级签字时退回）"  # in words, not "refused at county/county_head"
        (returned,) = await _events(app, "registry.area.exit_returned.v1")
        assert returned["reason"] == got["reason"]
        status = (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-status", headers=GANSU_CLERK)).json()
        assert status["exited"] is False
        assert status["pending_request_id"] is None
        r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 201
        # the returned request and the new one apart, by the screen's words as by the codes
        for word, code, wanted in (("已退回", "returned", got["id"]), ("审核中", "pending", r.json()["id"])):
            for status_ in (word, code):
                listed = await c.get(
                    f"{R}/area-exit-requests", params={"status": status_}, headers=GANSU_CLERK
                )
                assert [x["id"] for x in listed.json()["items"]] == [wanted], (status_, listed.text)


async def test_gansu_county_exit_counts_its_villages_population(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE, [10, 10, 10, 3])  # 33 of 1,099 = 3.0027…%: not yet
        ask = {"year": 2018, "declared": declared(GANSU_COUNTY_FACTORS)}
        r = await c.post(f"{R}/areas/{GANSU_COUNTY}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 409
        assert "33 poor / 1099 rural" in r.json()["detail"]
        # the county records its own rural population: 1,100 → exactly 3.00%
        r = await c.post(
            f"{R}/areas",
            json={"areas": [{"code": GANSU_COUNTY, "name": "清水县", "rural_population": 1_100}]},
            headers=auth("registrar", "620000000000"),
        )
        assert r.status_code == 200, r.text
        r = await c.post(f"{R}/areas/{GANSU_COUNTY}/exit-requests", json=ask, headers=GANSU_CLERK)
        assert r.status_code == 201, r.text
        assert r.json()["kind"] == "county"
        req = r.json()
        assert await handle_event(
            app.state.db, "registry", verdict("verified", req, verified_on="2019-01-10"), HANDLERS
        )
        province = (
            await c.get(f"{R}/rollups/620000000000?year=2018", headers=auth("registrar", "620000000000"))
        ).json()
        assert province["exited_counties_by_year"] == {"2018": 1}


async def test_guangyuan_one_low_five_haves(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GUANGYUAN_VILLAGE, [10, 10, 10])  # 30 of 1,000 = 3.00%
        haves = ["hardened_road", "clinic", "culture_room", "communication_network"]
        income = {"criterion": "collective_income", "value": 1_500_000, "evidence": ["村账 2018"]}
        ask = {"year": 2018, "declared": [income, *declared(haves)]}
        base = f"{R}/areas/{GUANGYUAN_VILLAGE}"
        r = await c.post(f"{base}/exit-requests", json=ask, headers=GUANGYUAN_CLERK)
        assert r.status_code == 409  # 低于3%: exactly 3% is not below
        crit = {x["criterion"]: x for x in r.json()["criteria"]}
        assert crit["incidence"]["comparison"] == "below"
        assert not crit["incidence"]["passed"]
        assert all(crit[h]["passed"] for h in haves)
        assert crit["collective_income"]["passed"]

        # the village's rural population is 1,500 after all: 30 / 1,500 = 2%; but the registry's
        # own record of the year's collective income (0) beats the declared 15,000 yuan
        village = {
            "code": GUANGYUAN_VILLAGE,
            "name": "合成四村",
            "poor_village": True,
            "synthetic_code": True,
        }
        r = await c.post(
            f"{R}/areas",
            json={
                "areas": [
                    village
                    | {"rural_population": 1_500, "collective_income": [{"year": 2018, "amount_fen": 0}]}
                ]
            },
            headers=auth("registrar", "510000000000"),
        )
        assert r.status_code == 200, r.text
        r = await c.post(f"{base}/exit-requests", json=ask, headers=GUANGYUAN_CLERK)
        assert r.status_code == 409
        assert [x["criterion"] for x in r.json()["criteria"] if not x["passed"]] == ["collective_income"]
        assert "the registry records 0.00 yuan for the year" in r.json()["detail"]

        # with the income it records (15,000 yuan), no clinic still blocks: every "have" is required
        r = await c.post(
            f"{R}/areas",
            json={
                "areas": [
                    village
                    | {
                        "rural_population": 1_500,
                        "collective_income": [{"year": 2018, "amount_fen": 1_500_000}],
                    }
                ]
            },
            headers=auth("registrar", "510000000000"),
        )
        assert r.status_code == 200, r.text
        no_clinic = [
            *declared(["hardened_road", "culture_room", "communication_network"]),
            {"criterion": "clinic", "value": False, "evidence": ["卫健局核查 2018-3"]},
        ]
        r = await c.post(
            f"{base}/exit-requests",
            json={"year": 2018, "declared": [income, *no_clinic]},
            headers=GUANGYUAN_CLERK,
        )
        assert r.status_code == 409
        assert [x["criterion"] for x in r.json()["criteria"] if not x["passed"]] == ["clinic"]
        r = await c.post(f"{base}/exit-requests", json=ask, headers=GUANGYUAN_CLERK)
        assert r.status_code == 201, r.text
        assert r.json()["policy_source"].startswith(f"5108/2016: {GUANGYUAN_MECHANISMS}二(三)")


async def test_criteria_are_policy_records_an_admin_can_change_with_if_match(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE, [9])  # 3.00%
        admin = auth("admin", GANSU_COUNTY)
        resolved = (
            await c.get(f"{R}/area-exit-policies/{GANSU_VILLAGE}/2019?kind=village", headers=admin)
        ).json()
        assert resolved["area_prefix"] == "62"
        record = {
            "area_prefix": GANSU_COUNTY[:6],
            "year": 2019,
            "kind": "village",
            "source": "清水县 2019: 贫困发生率低于3% (test record)",
            "criteria": [INCIDENCE_BELOW_3],
        }
        r = await c.put(f"{R}/area-exit-policies", json=record, headers=admin)
        assert r.status_code == 204, r.text
        r = await c.put(f"{R}/area-exit-policies", json=record, headers=admin)
        assert r.status_code == 428  # changing it needs the ETag
        got = await c.get(f"{R}/area-exit-policies/records/{GANSU_COUNTY[:6]}/2019/village", headers=admin)
        assert got.status_code == 200
        r = await c.put(
            f"{R}/area-exit-policies",
            json=record | {"source": "清水县 2019 (edited)"},
            headers=admin | {"If-Match": got.headers["ETag"]},
        )
        assert r.status_code == 204
        # 2018 still Gansu's 以下; 2019 the county's own 低于
        e18 = (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-eligibility?year=2018", headers=admin)).json()
        e19 = (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-eligibility?year=2019", headers=admin)).json()
        assert e18["criteria"][0]["passed"] is True
        assert (e19["eligible"], e19["policy"]["source"]) == (False, "清水县 2019 (edited)")
        bad = record | {
            "criteria": [
                {
                    "code": "incidence",
                    "label": "x",
                    "measure": "incidence",
                    "source": "declared",
                    "comparison": "below",
                    "threshold": 300,
                }
            ],
            "year": 2020,
        }
        r = await c.put(f"{R}/area-exit-policies", json=bad, headers=admin)
        assert r.status_code == 422
        r = await c.put(f"{R}/area-exit-policies", json=record | {"area_prefix": "5108"}, headers=admin)
        assert r.status_code == 403


async def test_an_area_exit_policy_record_changes_only_with_the_etag_read(make_db) -> None:
    app = registry_app(make_db("registry"))
    record = {
        "area_prefix": "440783",
        "year": 2019,
        "kind": "village",
        "source": "开平市2019年贫困村退出标准 (test record)",
        "criteria": [
            {
                "code": "incidence",
                "label": "贫困发生率降至2%以下",
                "measure": "incidence",
                "source": "registry",
                "comparison": "at_or_below",
                "threshold": 200,
            }
        ],
    }
    async with service_client(app) as c:
        await assert_conditional_put(
            c,
            put_url=f"{R}/area-exit-policies",
            get_url=f"{R}/area-exit-policies/records/440783/2019/village",
            headers=auth("admin", "440000000000"),
            first=record,
            second=record | {"source": "开平市2019年 (changed)"},
            shown=lambda body: body["source"],
        )


async def test_criterion_labels_are_chinese_for_the_clerk_and_english_under_en(make_db) -> None:
    """Guangyuan's 一低五有 read "有硬化路" on a clerk's screen, never "有硬化路 (a hardened road)"; an
    English reader gets the English words."""
    app = registry_app(make_db("registry"))
    chinese = {k: v for k, v in GUANGYUAN_CLERK.items() if k != "Accept-Language"}
    url = f"{R}/areas/{GUANGYUAN_VILLAGE}/exit-eligibility?year=2018"
    async with service_client(app) as c:
        await load_places(c)
        zh = {x["criterion"]: x["label"] for x in (await c.get(url, headers=chinese)).json()["criteria"]}
        english = (await c.get(url, headers=GUANGYUAN_CLERK)).json()["criteria"]
        en = {x["criterion"]: x["label"] for x in english}
        policy = await c.get(f"{R}/area-exit-policies/{GUANGYUAN_VILLAGE}/2018?kind=village", headers=chinese)
    assert (zh["hardened_road"], zh["collective_income"]) == ("有硬化路", "有集体经济收入")
    assert not [label for label in zh.values() if re.search("[A-Za-z]", label)], zh
    assert (en["hardened_road"], en["clinic"]) == ("a hardened road", "a village clinic")
    road = next(x for x in policy.json()["criteria"] if x["code"] == "hardened_road")
    assert (road["label"], road["label_en"]) == ("有硬化路", "a hardened road")


async def test_each_criterions_detail_is_chinese_for_the_clerk_and_english_under_en(make_db) -> None:
    """Found by the registry walk (stop 27): a village's exit page, its 409 and its request said why
    each criterion passed in English only ("incidence 9 poor / 300 rural = 3.0000% (meets: …)",
    "not declared: state …"). The clerk now reads Chinese; an English reader gets the English."""
    app = registry_app(make_db("registry"))
    chinese = {k: v for k, v in GANSU_CLERK.items() if k != "Accept-Language"}
    page = f"{R}/areas/{GANSU_VILLAGE}/exit-eligibility?year=2018"
    requests = f"{R}/areas/{GANSU_VILLAGE}/exit-requests"

    def details(criteria: list[dict]) -> dict[str, str]:
        return {x["criterion"]: x["detail"] for x in criteria}

    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE, [4, 3, 2])  # 9 poor of 300 rural = 3.00%
        zh = details((await c.get(page, headers=chinese)).json()["criteria"])
        assert zh["incidence"] == "贫困发生率：贫困人口9人 / 农村人口300人 = 3.0000%（已达到：须不超过3.00%）"
        assert zh["infrastructure"].startswith("尚未申报：请申报“")
        assert zh["infrastructure"].endswith("并附佐证材料（由签字人员统筹考虑，不单独否决）")
        assert not [d for d in zh.values() if re.search("[A-Za-z]", d)], zh
        en = details((await c.get(page, headers=GANSU_CLERK)).json()["criteria"])
        assert en["incidence"] == "incidence 9 poor / 300 rural = 3.0000% (meets: must be at or below 3.00%)"

        # the 409 lists each criterion as the page does, in the caller's language
        refused = await c.post(requests, json={"year": 2018}, headers=chinese)
        assert refused.status_code == 409
        assert details(refused.json()["criteria"]) == zh
        refused = await c.post(requests, json={"year": 2018}, headers=GANSU_CLERK)
        assert details(refused.json()["criteria"]) == en

        ask = {"year": 2018, "declared": declared(GANSU_FACTORS)}
        made = await c.post(requests, json=ask, headers=chinese)
        assert made.status_code == 201, made.text
        kept = details(made.json()["criteria"])
        assert kept["infrastructure"].startswith("申报为“是”：村内基础设施")
        assert kept["infrastructure"].endswith("（佐证材料2项）（由签字人员统筹考虑，不单独否决）")
        listed = (await c.get(requests, headers=chinese)).json()
        assert details(listed[0]["criteria"]) == kept
        listed = (await c.get(requests, headers=GANSU_CLERK)).json()
        assert details(listed[0]["criteria"])["infrastructure"].startswith("declared yes: ")


async def test_an_exit_for_a_year_still_to_come_in_china_is_refused_and_nothing_is_asked(make_db) -> None:
    """03:00 on 6 December in China (UTC: the 5th) is still 2026: a village that asked to exit for
    2027 went to its sign-off as if the year were over; 422 date-in-future, no request, no event."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await poor_households(c, GANSU_VILLAGE, [5, 4])
        ask = {"year": 2027, "declared": declared(GANSU_FACTORS)}
        zh = GANSU_CLERK | {"Accept-Language": "zh"}
        with clock.frozen(datetime(2026, 12, 5, 19, 0, tzinfo=UTC)):
            r = await c.post(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", json=ask, headers=zh)
        assert r.status_code == 422, r.text
        assert r.json()["type"].endswith("/date-in-future")
        assert "2027年还没有开始（今天是北京时间 2026-12-06），该年度开始后才能申请退出" in r.json()["detail"]
        assert (await c.get(f"{R}/areas/{GANSU_VILLAGE}/exit-requests", headers=GANSU_CLERK)).json() == []
        assert await _events(app, "registry.area.exit_requested.v1") == []
