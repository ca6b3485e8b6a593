"""One person, one household across areas without leaking: a clerk who enters a person active
in another area's household gets only a conflict id; the officer of the lowest level covering both
areas sees both sides and keeps, moves or rejects; every step audited and published."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
    AREAS,
    REGISTRAR,
    VILLAGE,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
CONFLICTS = "/registry/v1/identity-conflicts"
TAISHAN_VILLAGE = "440781101201"  # synthetic village of 台山市, also under 江门市
GANSU_VILLAGE = "621102101201"  # synthetic village of 定西市安定区
MORE_AREAS = [
    {"code": "440781000000", "name": "台山市"},
    {"code": "440781101000", "name": "台城街道(合成代码)", "synthetic_code": True},
    {"code": TAISHAN_VILLAGE, "name": "石化村", "synthetic_code": True},
    {"code": "620000000000", "name": "甘肃省"},
    {"code": "621100000000", "name": "定西市"},
    {"code": "621102000000", "name": "安定区"},
    {"code": "621102101000", "name": "凤翔镇(合成代码)", "synthetic_code": True},
    {"code": GANSU_VILLAGE, "name": "安家沟村", "synthetic_code": True},
]
TAISHAN_CLERK = auth("registrar", TAISHAN_VILLAGE, sub="taishan-clerk")
GANSU_CLERK = auth("registrar", GANSU_VILLAGE, sub="gansu-clerk")
CITY_OFFICER = auth("approver", "440700000000", sub="jiangmen-officer")
PROVINCE_OFFICER = auth("approver", "440000000000", sub="guangdong-officer")
KAIPING_APPROVER = auth("approver", "440783000000")
TAISHAN_APPROVER = auth("approver", "440781000000")
KAIPING_COUNTY_CLERK = auth("registrar", "440783000000")
TAISHAN_COUNTY_CLERK = auth("registrar", "440781000000")


async def setup(c):
    r = await c.post(
        "/registry/v1/areas",
        json={"areas": AREAS + MORE_AREAS[:3]},
        headers=auth("admin", "440000000000"),
    )
    assert r.status_code == 200, r.text
    r = await c.post(
        "/registry/v1/areas", json={"areas": MORE_AREAS[3:]}, headers=auth("admin", "620000000000")
    )
    assert r.status_code == 200, r.text


async def kaiping_household(c, wife_id):
    """A registered Kaiping household: head 陈大海 and his wife 陈秀英 (the person both areas claim)."""
    return await registered(
        c, members=[member("head", name="陈大海"), member("spouse", name="陈秀英", resident_id=wife_id)]
    )


def new_household(area_code, *people):
    return {
        "area_code": area_code,
        "year": 2017,
        "members": list(people),
        "poverty_causes": ["illness"],
    }


async def test_a_clerk_of_another_province_gets_a_conflict_id_and_nothing_of_the_other_household(make_db):
    app = registry_app(make_db("registry"))
    wife = person_id(date(1975, 3, 8), sex="female")
    async with service_client(app) as c:
        await setup(c)
        h = await kaiping_household(c, wife)
        body = new_household(
            GANSU_VILLAGE,
            member("head", name="马有福", resident_id=person_id()),
            member("spouse", name="陈秀英", resident_id=wife),
        )
        r = await c.post("/registry/v1/households", json=body, headers=GANSU_CLERK)
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["type"].endswith("/person-active-elsewhere")
        assert len(problem["conflict_ids"]) == 1
        for secret in (h["id"], h["household_number"], VILLAGE, "440783", "步栏村", "开平", "陈大海"):
            assert secret not in r.text, secret
        # nothing was saved in Gansu
        listed = await c.get("/registry/v1/households", headers=GANSU_CLERK)
        assert listed.json()["items"] == []
        # sending it again finds the same open conflict
        again = await c.post("/registry/v1/households", json=body, headers=GANSU_CLERK)
        assert again.json()["conflict_ids"] == problem["conflict_ids"]
        # the clerk can follow the case: its status, never the other side
        conflict_id = problem["conflict_ids"][0]
        r = await c.get(f"{CONFLICTS}/{conflict_id}", headers=GANSU_CLERK)
        assert r.status_code == 200
        assert (r.json()["status"], r.json()["status_label"]) == ("open", "待处理")
        assert "held" not in r.json()
        assert "queue_level" not in r.json()
        assert h["id"] not in r.text
        assert "440783" not in r.text
        # a Kaiping clerk does not see the Gansu claim; across provinces no province officer sees it
        assert (await c.get(f"{CONFLICTS}/{conflict_id}", headers=REGISTRAR)).status_code == 404
        for officer in (PROVINCE_OFFICER, auth("approver", "620000000000")):
            assert (await c.get(CONFLICTS, headers=officer)).json()["items"] == []
        # within the clerk's own area the existing detail remains
        r = await c.post(
            "/registry/v1/households",
            json=new_household(VILLAGE, member("head", name="陈秀英", resident_id=wife)),
            headers=REGISTRAR,
        )
        assert r.status_code == 409
        assert r.json()["type"].endswith("/person-in-another-household")
        assert r.json()["household_id"] == h["id"]
        async with app.state.db.transaction() as s:
            opened = (
                await s.execute(
                    select(outbox.c.envelope).where(outbox.c.type == "registry.identity_conflict.opened.v1")
                )
            ).scalar_one()
        assert opened["data"]["queue_level"] == "national"
        assert opened["data"]["conflict_id"] == conflict_id
        assert wife not in str(opened)
        assert "陈秀英" not in str(opened)


async def test_the_queue_is_the_lowest_level_covering_both_areas_and_not_the_county_clerks(make_db):
    app = registry_app(make_db("registry"))
    wife = person_id(date(1975, 3, 8), sex="female")
    async with service_client(app) as c:
        await setup(c)
        h = await kaiping_household(c, wife)
        r = await c.post(
            "/registry/v1/households",
            json=new_household(TAISHAN_VILLAGE, member("head", name="陈秀英", resident_id=wife)),
            headers=TAISHAN_CLERK,
        )
        assert r.status_code == 409, r.text
        conflict_id = r.json()["conflict_ids"][0]
        for secret in (h["id"], h["household_number"], VILLAGE, "步栏村", "陈大海"):
            assert secret not in r.text
        for officer in (CITY_OFFICER, PROVINCE_OFFICER):
            items = (await c.get(CONFLICTS, headers=officer)).json()["items"]
            assert [i["id"] for i in items] == [conflict_id]
            item = items[0]
            assert item["queue_level"] == "city"
            assert item["queue_area_code"] == "440700000000"
            assert item["claim_kind"] == "household"
            assert item["claim_area_code"] == TAISHAN_VILLAGE
            assert item["claim_person"]["name"] == "陈秀英"
            assert item["held"]["household_id"] == h["id"]
            assert item["held"]["household_number"] == h["household_number"]
            assert item["held"]["area_code"] == VILLAGE
            assert item["held"]["name"] == "陈秀英"
            assert (item["held"]["relation"], item["held"]["relation_label"]) == ("spouse", "配偶")
            # the officer reads the status the way the household list says it
            assert (item["held"]["household_status"], item["held"]["household_status_label"]) == (
                "registered",
                "已建档立卡",
            )
        for county_officer in (KAIPING_APPROVER, TAISHAN_APPROVER):
            assert (await c.get(CONFLICTS, headers=county_officer)).json()["items"] == []
            r = await c.get(f"{CONFLICTS}/{conflict_id}", headers=county_officer)
            assert h["household_number"] not in r.text
        for county_clerk in (KAIPING_COUNTY_CLERK, TAISHAN_COUNTY_CLERK):
            r = await c.get(CONFLICTS, headers=county_clerk)
            assert r.status_code == 403
            r = await c.post(
                f"{CONFLICTS}/{conflict_id}/resolution",
                json={"outcome": "keep", "note": "x"},
                headers=county_clerk,
            )
            assert r.status_code == 403


async def test_keep_reject_and_move_are_decided_by_the_officer_audited_and_published(make_db):
    app = registry_app(make_db("registry"))
    wives = [person_id(date(1975, 3, d), sex="female") for d in (8, 9, 10)]
    async with service_client(app) as c:
        await setup(c)
        households = [await kaiping_household(c, w) for w in wives]
        ids = []
        for w in wives:
            r = await c.post(
                "/registry/v1/households",
                json=new_household(TAISHAN_VILLAGE, member("head", name="陈秀英", resident_id=w)),
                headers=TAISHAN_CLERK,
            )
            ids.append(r.json()["conflict_ids"][0])
        keep, reject, move = ids
        url = f"{CONFLICTS}/{{}}/resolution"
        # a county officer covers only one side
        r = await c.post(
            url.format(keep), json={"outcome": "keep", "note": "仍在开平居住"}, headers=KAIPING_APPROVER
        )
        assert r.status_code == 404
        r = await c.post(
            url.format(keep), json={"outcome": "keep", "note": "仍在开平居住"}, headers=CITY_OFFICER
        )
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["status_label"]) == ("kept", "保留在原户")
        r = await c.post(
            url.format(reject), json={"outcome": "reject", "note": "身份证号录入错误"}, headers=CITY_OFFICER
        )
        assert r.json()["status"] == "rejected"
        r = await c.post(
            url.format(move), json={"outcome": "move", "note": "已嫁入台山"}, headers=CITY_OFFICER
        )
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["status_label"]) == ("moved", "已迁出原户")
        # resolved once
        r = await c.post(url.format(keep), json={"outcome": "move", "note": "x"}, headers=CITY_OFFICER)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/identity-conflict-closed")
        # keep and reject changed nothing; move took the wife out of her Kaiping household
        counts = [
            (await c.get(f"/registry/v1/households/{h['id']}", headers=REGISTRAR)).json()["member_count"]
            for h in households
        ]
        assert counts == [2, 2, 1]
        # the Taishan clerk now enters her; the kept one is still refused (a new conflict)
        r = await c.post(
            "/registry/v1/households",
            json=new_household(TAISHAN_VILLAGE, member("head", name="陈秀英", resident_id=wives[2])),
            headers=TAISHAN_CLERK,
        )
        assert r.status_code == 201, r.text
        r = await c.post(
            "/registry/v1/households",
            json=new_household(TAISHAN_VILLAGE, member("head", name="陈秀英", resident_id=wives[0])),
            headers=TAISHAN_CLERK,
        )
        assert r.status_code == 409
        assert r.json()["conflict_ids"] != [keep]
        # the officer's queue by each status's word finds what its code finds
        reopened = r.json()["conflict_ids"]
        queue = {
            ("open", "待处理"): reopened,
            ("kept", "保留在原户"): [keep],
            ("moved", "已迁出原户"): [move],
            ("rejected", "申报不实已驳回"): [reject],
        }
        for words, wanted in queue.items():
            for status in (*words, f" {words[1]} "):
                listed = await c.get(CONFLICTS, params={"status": status}, headers=CITY_OFFICER)
                assert [i["id"] for i in listed.json()["items"]] == wanted, (status, listed.text)
        r = await c.get(
            CONFLICTS, params={"status": "已驳回"}, headers=CITY_OFFICER | {"Accept-Language": "zh"}
        )
        assert r.status_code == 422, r.text
        assert (
            "查询参数状态应为以下之一：待处理、保留在原户、已迁出原户、申报不实已驳回" in r.json()["detail"]
        )
        r = await c.get(f"{CONFLICTS}/{move}", headers=TAISHAN_CLERK)
        assert r.json()["status"] == "moved"
        async with app.state.db.transaction() as s:
            actions = (
                await s.execute(
                    select(audit_log.c.action, audit_log.c.entity_id)
                    .where(audit_log.c.entity_type == "identity_conflict")
                    .order_by(audit_log.c.id)
                )
            ).all()
            types = (
                await s.execute(
                    select(outbox.c.type, outbox.c.subject)
                    .where(outbox.c.type.like("registry.identity_conflict.%"))
                    .order_by(outbox.c.seq)
                )
            ).all()
        assert [(a, e) for a, e in actions if e in ids] == [
            ("identity_conflict.opened", keep),
            ("identity_conflict.opened", reject),
            ("identity_conflict.opened", move),
            ("identity_conflict.kept", keep),
            ("identity_conflict.rejected", reject),
            ("identity_conflict.moved", move),
        ]
        assert [(t.rsplit(".", 2)[-2], s) for t, s in types if s in ids] == [
            ("opened", keep),
            ("opened", reject),
            ("opened", move),
            ("resolved", keep),
            ("resolved", reject),
            ("resolved", move),
        ]


async def test_adding_a_member_and_a_bulk_import_open_conflicts_the_same_way(make_db):
    app = registry_app(make_db("registry"))
    wife, son = person_id(date(1975, 3, 8), sex="female"), person_id(date(2001, 1, 2))
    async with service_client(app) as c:
        await setup(c)
        h = await registered(
            c,
            members=[
                member("head", name="陈大海"),
                member("spouse", name="陈秀英", resident_id=wife),
                member("child", name="陈小明", resident_id=son),
            ],
        )
        r = await c.post(
            "/registry/v1/households",
            json=new_household(TAISHAN_VILLAGE, member("head", name="李四", resident_id=person_id())),
            headers=TAISHAN_CLERK,
        )
        taishan = r.json()
        r = await c.post(
            f"/registry/v1/households/{taishan['id']}/members",
            json={"member": member("spouse", name="陈秀英", resident_id=wife), "reason": "marriage_in"},
            headers=TAISHAN_CLERK,
        )
        assert r.status_code == 409, r.text
        assert r.json()["type"].endswith("/person-active-elsewhere")
        for secret in (h["id"], h["household_number"], VILLAGE):
            assert secret not in r.text
        member_conflict = r.json()["conflict_ids"][0]
        r = await c.post(
            "/registry/v1/households/imports",
            json={
                "households": [
                    new_household(TAISHAN_VILLAGE, member("head", name="王五", resident_id=person_id()))
                    | {"registered_on": "2017-06-01"},
                    new_household(TAISHAN_VILLAGE, member("head", name="陈小明", resident_id=son))
                    | {"registered_on": "2017-06-01"},
                ],
                "source_roll": "台山市2017年建档立卡花名册",
                "reason": "省平台历史数据迁移",
            },
            headers=TAISHAN_APPROVER,
        )
        assert r.status_code == 409, r.text
        assert r.json()["rows"] == [1]
        for secret in (h["id"], h["household_number"], VILLAGE):
            assert secret not in r.text
        import_conflict = r.json()["conflict_ids"][0]
        items = {i["id"]: i for i in (await c.get(CONFLICTS, headers=CITY_OFFICER)).json()["items"]}
        assert items[member_conflict]["claim_kind"] == "member"
        assert items[member_conflict]["claim_household_id"] == taishan["id"]
        assert items[import_conflict]["claim_kind"] == "import"
        assert items[import_conflict]["held"]["name"] == "陈小明"
        listed = (await c.get("/registry/v1/households", headers=TAISHAN_APPROVER)).json()["items"]
        assert len(listed) == 1  # nothing of the import was saved
