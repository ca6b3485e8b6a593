"""Chinese first, English available: problems, validation messages, code lists and the board."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from shared.clock import clock
from tests.registry.integration.helpers import (
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registry_app,
)
from tests.registry.integration.test_public_notices import BOARD, in_notice
from tests.support import service_client

pytestmark = pytest.mark.asyncio
HOUSEHOLDS = "/registry/v1/households"
ENGLISH = {"Accept-Language": "en"}
PROBLEMS = "https://jingzhun.example/problems/"
CODE_WORD = re.compile(r"[a-z_]{3,}")


async def test_a_missing_household_is_told_in_chinese_and_in_english_on_request(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        missing = f"{HOUSEHOLDS}/{uuid.uuid4()}"
        r = await c.get(missing, headers=REGISTRAR)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        assert "Accept-Language" in r.headers["vary"]  # caches keep the two languages apart
        body = r.json()
        assert body["type"] == PROBLEMS + "household-not-found"
        assert body["title"] == "未找到该户"
        assert body["detail"].startswith("您的辖区内没有户")

        en = (await c.get(missing, headers=REGISTRAR | ENGLISH)).json()
        assert en["type"] == PROBLEMS + "household-not-found"
        assert en["title"] == "Household not found"
        assert "does not exist in your area" in en["detail"]

        # A client that prefers Chinese but takes English gets Chinese; q-values are honoured.
        assert (await c.get(missing, headers=REGISTRAR | {"Accept-Language": "zh-CN,en;q=0.8"})).json()[
            "title"
        ] == "未找到该户"
        assert (await c.get(missing, headers=REGISTRAR | {"Accept-Language": "zh;q=0.3,en-US"})).json()[
            "title"
        ] == "Household not found"


async def test_one_person_one_household_is_a_chinese_409(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        head = person_id()
        await candidate(c, members=[member("head", resident_id=head)])
        body = {"area_code": VILLAGE, "year": 2017, "members": [member("head", resident_id=head)]}
        r = await c.post(HOUSEHOLDS, json=body, headers=REGISTRAR)
        assert r.status_code == 409
        problem = r.json()
        assert problem["type"] == PROBLEMS + "person-in-another-household"
        assert problem["title"] == "此人已是另一在册户的成员"
        assert "一人只能在一个在册户中" in problem["detail"]
        assert "拟识别" in problem["detail"]  # the other household's status, in Chinese

        en = (await c.post(HOUSEHOLDS, json=body, headers=REGISTRAR | ENGLISH)).json()
        assert en["title"] == "This person is already a member of another active household"
        assert "one person may be in only one active household" in en["detail"]


async def test_a_nested_resident_id_error_names_the_field_as_the_form_does(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        short = person_id()[:17]
        body = {
            "area_code": VILLAGE,
            "year": 2017,
            "members": [member("head", resident_id=short)],
            "poverty_causes": ["因穷"],
        }
        r = await c.post(HOUSEHOLDS, json=body, headers=REGISTRAR)
        assert r.status_code == 422
        problem = r.json()
        assert problem["type"] == PROBLEMS + "validation-error"
        assert problem["title"] == "提交的内容有误"
        by_field = {e["field"]: e for e in problem["errors"]}
        rid = by_field["body.members.0.resident_id"]
        assert rid["label"] == "成员第1人的身份证号"  # counted from 1
        assert rid["message"] == "成员第1人的身份证号应为18位，最后一位可为X"
        cause = by_field["body.poverty_causes.0"]
        assert cause["message"].startswith("致贫原因第1项应为以下之一：因病、因残、因学")
        assert "成员第1人的身份证号应为18位，最后一位可为X" in problem["detail"]

        en = (await c.post(HOUSEHOLDS, json=body, headers=REGISTRAR | ENGLISH)).json()
        assert en["title"] == "The request is malformed"
        assert "body.members.0.resident_id" in en["detail"]
        assert {e["field"] for e in en["errors"]} == set(by_field)

        # A wrong check digit is the service's own rule: Chinese too, saying what is wrong.
        bad = person_id()
        bad = bad[:17] + ("0" if bad[17] != "0" else "1")
        body = {"area_code": VILLAGE, "year": 2017, "members": [member("head", resident_id=bad)]}
        r = await c.post(HOUSEHOLDS, json=body, headers=REGISTRAR)
        assert r.status_code == 422
        assert r.json()["title"] == "成员信息前后不一致"
        assert r.json()["detail"] == f"尾号为{bad[-4:]}的身份证号校验位不对，请核对"


async def test_chinese_labels_are_accepted_for_codes_and_returned_next_to_them(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        body = {
            "area_code": VILLAGE,
            "year": 2017,
            "members": [
                member("户主", labour_capacity="普通劳动力", sex="男"),
                member("配偶", labour_capacity="弱劳动力或半劳动力", resident_id=person_id(sex="female")),
            ],
            "poverty_causes": ["因病", "lack_of_funds"],
            "batches": ["扶持生产和就业发展一批"],
        }
        r = await c.post(HOUSEHOLDS, json=body, headers=REGISTRAR)
        assert r.status_code == 201, r.text
        h = r.json()
        assert h["poverty_causes"] == ["illness", "lack_of_funds"]
        assert h["poverty_cause_labels"] == ["因病", "缺资金"]
        assert h["batches"] == ["production_employment"]
        assert h["batch_labels"] == ["扶持生产和就业发展一批"]
        assert h["status"] == "candidate"
        assert h["status_label"] == "拟识别"
        head = next(m for m in h["members"] if m["relation"] == "head")
        assert (head["relation_label"], head["labour_capacity_label"], head["sex_label"]) == (
            "户主",
            "普通劳动力",
            "男",
        )
        listed = (await c.get(HOUSEHOLDS, params={"area_code": VILLAGE}, headers=REGISTRAR)).json()
        assert listed["items"][0]["poverty_cause_labels"] == ["因病", "缺资金"]


async def test_the_vocabulary_is_served_without_login(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.get("/registry/v1/vocabulary")
        assert r.status_code == 200, r.text
        lists = {v["name"]: v for v in r.json()["lists"]}
        assert lists["poverty_cause"]["title"] == "致贫原因"
        assert {"code": "illness", "label": "因病"} in lists["poverty_cause"]["values"]
        assert {"code": "head", "label": "户主"} in lists["relation"]["values"]
        assert {"code": "dibao_floor", "label": "低保政策兜底一批"} in lists["batch"]["values"]
        assert len(lists["poverty_cause"]["values"]) == 12


async def test_the_public_board_has_no_code_words(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await in_notice(
            c,
            starts_on=date.today() - timedelta(days=1),
            members=[member("head", name="张三丰")],
            poverty_causes=["illness", "lack_of_skills", "lack_of_motivation"],
        )
        r = await c.get(BOARD, params={"area_code": VILLAGE})
        assert r.status_code == 200, r.text
        [item] = r.json()["items"]
        assert item["kind_label"] == "贫困户识别公示"
        assert item["poverty_causes"] == ["因病", "缺技术", "自身发展动力不足"]
        texts = [item["kind_label"], item["village_name"], item["head_name_masked"], item["how_to_object"]]
        texts += item["poverty_causes"]
        for text in texts:
            assert not CODE_WORD.search(text), text


async def test_the_village_review_is_recorded_in_the_clerks_words(make_db):
    """民主评议结果: "通过" / "不通过" as well as the codes; a wrong word is refused naming the two
    labels (it named approved、not_approved)."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        review = f"{HOUSEHOLDS}/{h['id']}/review"
        r = await c.post(f"{HOUSEHOLDS}/{h['id']}/review-submission", headers=REGISTRAR | {"If-Match": '"1"'})
        assert r.status_code == 200, r.text
        held = {"held_on": clock.today().isoformat()}  # the China date (a day ahead of UTC's at night)
        r = await c.post(review, json={"result": "同意"} | held, headers=REGISTRAR | {"If-Match": '"2"'})
        assert r.status_code == 422
        assert r.json()["detail"] == "请改正后重新提交：评议结果应为以下之一：通过、不通过"
        r = await c.post(review, json={"result": "通过"} | held, headers=REGISTRAR | {"If-Match": '"2"'})
        assert r.status_code == 200, r.text
        card = (await c.get(f"{HOUSEHOLDS}/{h['id']}", headers=REGISTRAR)).json()
        assert card["review_result"] == "approved"
        r = await c.get("/registry/v1/vocabulary")
        lists = {v["name"]: v for v in r.json()["lists"]}
        assert lists["review_result"]["values"] == [
            {"code": "approved", "label": "通过"},
            {"code": "not_approved", "label": "不通过"},
        ]


async def test_a_clerk_who_leaves_out_an_objection_or_a_relapse_cause_reads_the_form_s_words(make_db):
    """The objection form's content and the relapse form's cause kind are named as the form
    names them, not by their code."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        r = await c.post(
            f"{HOUSEHOLDS}/{h['id']}/objections", json={"lodged_on": "2017-03-01"}, headers=REGISTRAR
        )
        assert r.status_code == 422
        assert r.json()["detail"] == "请改正后重新提交：异议内容必须填写"
        r = await c.post(f"{HOUSEHOLDS}/{h['id']}/relapse-cases", json={}, headers=REGISTRAR)
        assert r.status_code == 422
        assert "原因类别必须填写" in r.json()["detail"]
        assert not CODE_WORD.search(r.json()["detail"])
