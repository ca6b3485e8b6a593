"""Kaiping's key targets (seed 004 §二(一), §三(一)): 将有劳动能力且愿意接受帮扶的低保户识别出来,作为本轮
精准扶贫的重点帮扶对象; 低保线内有劳动能力的贫困残疾人 among them. A household is marked a key target by the
batch 扶持生产和就业发展一批 (production_employment); a household that is not a labour-capable, willing
低保 household is refused (422 key-target-not-eligible, naming what is missing) wherever a clerk marks
it: a new candidate, a change of its attributes, a bulk import of a registered roll."""

from __future__ import annotations

import pytest

from services.registry.policies.presets import KEY_TARGET_RULES
from tests.registry.integration.helpers import (
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
EN = {"Accept-Language": "en"}
HOUSEHOLDS = "/registry/v1/households"
SOURCE = "seed 004 §二(一)、§三(一)"


def _body(**attrs: object) -> dict[str, object]:
    return {
        "area_code": VILLAGE,
        "year": 2017,
        "members": attrs.pop("members", None) or [member("head")],
        "poverty_causes": ["illness"],
        "batches": ["production_employment"],
    } | attrs


async def test_a_key_target_must_be_a_labour_capable_willing_dibao_household(make_db):
    async with service_client(registry_app(make_db("registry"))) as c:
        await load_areas(c)
        r = await c.post(HOUSEHOLDS, json=_body(labour_willing=True), headers=REGISTRAR)
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["type"].endswith("/key-target-not-eligible")
        assert (problem["rule"], problem["batch"], problem["missing"]) == (
            "key-target",
            "production_employment",
            ["dibao"],
        )
        assert problem["title"] == "该户不符合本地区重点帮扶对象的条件"
        assert problem["detail"] == (
            "“扶持生产和就业发展一批”为重点帮扶对象，须为有劳动能力且愿意接受帮扶的低保户；该户缺少：低保户"
            f"（{KEY_TARGET_RULES[0].source}）"
        )
        assert SOURCE in problem["detail"]

        no_labour = [member("head", labour_capacity="none"), member("child", labour_capacity="not_of_age")]
        r = await c.post(HOUSEHOLDS, json=_body(members=no_labour, dibao=True), headers=REGISTRAR | EN)
        assert r.status_code == 422, r.text
        assert r.json()["missing"] == ["labour_capacity", "labour_willing"]
        assert r.json()["title"] == "The household cannot be a key target under the area's policy"
        assert "a labour-capable member, willing to be helped" in r.json()["detail"]

        r = await c.post(HOUSEHOLDS, json=_body(dibao=True, labour_willing=False), headers=REGISTRAR)
        assert (r.status_code, r.json()["missing"]) == (422, ["labour_willing"])

        # the other batches of the set are no key targets: a 低保兜底 household needs none of it
        r = await c.post(
            HOUSEHOLDS, json=_body(members=no_labour, batches=["dibao_floor"]), headers=REGISTRAR
        )
        assert r.status_code == 201, r.text
        assert r.json()["dibao"] is False


async def test_a_disabled_member_who_can_work_makes_a_dibao_household_a_key_target(make_db):
    async with service_client(registry_app(make_db("registry"))) as c:
        await load_areas(c)
        members = [
            member("head", labour_capacity="none"),
            member("child", resident_id=person_id(), labour_capacity="partial", disability="肢体残疾三级"),
        ]
        r = await c.post(
            HOUSEHOLDS, json=_body(members=members, dibao=True, labour_willing=True), headers=REGISTRAR
        )
        assert r.status_code == 201, r.text
        assert r.json()["batches"] == ["production_employment"]


async def test_a_change_that_tags_or_keeps_a_household_as_key_target_is_checked(make_db):
    async with service_client(registry_app(make_db("registry"))) as c:
        await load_areas(c)
        h = await candidate(c, batches=["education"])  # not a key target: dibao not given
        assert (h["dibao"], h["labour_willing"]) == (False, None)
        url = f"{HOUSEHOLDS}/{h['id']}"

        r = await c.patch(
            url, json={"batches": ["production_employment"]}, headers=REGISTRAR | {"If-Match": '"1"'}
        )
        assert r.status_code == 422, r.text
        assert r.json()["missing"] == ["dibao", "labour_willing"]
        unchanged = (await c.get(url, headers=REGISTRAR)).json()
        assert (unchanged["batches"], unchanged["version"]) == (["education"], 1)

        both = {"batches": ["production_employment", "education"], "dibao": True, "labour_willing": True}
        r = await c.patch(url, json=both, headers=REGISTRAR | {"If-Match": '"1"'})
        assert r.status_code == 200, r.text
        assert r.json()["batches"] == ["production_employment", "education"]

        # leaving the 低保 roll while still marked a key target is refused; the plan alone is not checked
        r = await c.patch(url, json={"dibao": False}, headers=REGISTRAR | {"If-Match": '"2"'})
        assert (r.status_code, r.json()["missing"]) == (422, ["dibao"])
        r = await c.patch(
            url, json={"dibao": False, "batches": ["education"]}, headers=REGISTRAR | {"If-Match": '"2"'}
        )
        assert r.status_code == 200, r.text
        assert (r.json()["dibao"], r.json()["batches"]) == (False, ["education"])


async def test_a_bulk_roll_names_the_row_that_is_no_key_target(make_db):
    async with service_client(registry_app(make_db("registry"))) as c:
        await load_areas(c)
        row = {
            "area_code": VILLAGE,
            "year": 2017,
            "registered_on": "2017-06-01",
            "batches": ["production_employment"],
        }
        rows = [
            row | {"members": [member("head", name="甲")], "dibao": True, "labour_willing": True},
            row | {"members": [member("head", name="乙")], "labour_willing": True},
        ]
        r = await c.post(
            f"{HOUSEHOLDS}/imports",
            json={
                "households": rows,
                "source_roll": "开平市2017年建档立卡花名册",
                "reason": "省平台历史数据迁移",
            },
            headers=auth("approver", VILLAGE),
        )
        assert r.status_code == 422, r.text
        assert (r.json()["index"], r.json()["missing"]) == (1, ["dibao"])
        assert r.json()["detail"].startswith("第2户：")
        assert (await c.get(HOUSEHOLDS, headers=REGISTRAR)).json()["items"] == []
