"""Edge households and the minimum-allowance roll cross-check."""

from __future__ import annotations

from datetime import date

import pytest

from tests.registry.integration.helpers import (
    REGISTRAR,
    VILLAGE,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import service_client

pytestmark = pytest.mark.asyncio


async def test_dibao_roll_is_matched_by_id_and_answers_never_show_full_ids(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        flagged_id, unflagged_id, missing_id, stranger = person_id(), person_id(), person_id(), person_id()
        flagged = await registered(c, members=[member("head", resident_id=flagged_id)], dibao=True)
        unflagged = await registered(c, members=[member("head", resident_id=unflagged_id)], dibao=False)
        missing = await registered(c, members=[member("head", resident_id=missing_id)], dibao=True)
        roll = f"resident_id,name\n{flagged_id},甲\n{unflagged_id},乙\n{stranger},丙\nnot-an-id,丁\n"
        r = await c.post(
            f"/registry/v1/dibao-cross-checks?area_code={VILLAGE}",
            files={"roll": ("dibao.csv", roll.encode(), "text/csv")},
            headers=REGISTRAR,
        )
        assert r.status_code == 200, r.text
        out = r.json()
        assert (
            out["matched_count"],
            out["on_roll_not_flagged_count"],
            out["flagged_not_on_roll_count"],
            out["not_registered_count"],
        ) == (1, 1, 1, 1)
        assert out["matched"][0]["household_id"] == flagged["id"]
        assert out["on_roll_not_flagged"][0]["household_id"] == unflagged["id"]
        assert out["flagged_not_on_roll"] == [missing["id"]]
        assert out["problems"][0]["line"] == 5
        for number in (flagged_id, unflagged_id, missing_id, stranger):
            assert number not in r.text


async def test_edge_household_is_monitored_but_a_registered_person_cannot_be_one(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        inside = person_id()
        await registered(c, members=[member("head", resident_id=inside)])
        body = {
            "area_code": VILLAGE,
            "head_name": "陈边缘",
            "persons": 3,
            "per_capita_income_fen": 420_000,
            "risk": "大病支出",
        }
        r = await c.post(
            "/registry/v1/edge-households", json=body | {"head_resident_id": inside}, headers=REGISTRAR
        )
        assert r.status_code == 409
        assert r.json()["detail"].endswith("（已建档立卡）的成员；边缘户只登记未建档立卡的人")
        r = await c.post(
            "/registry/v1/edge-households",
            json=body | {"head_resident_id": inside[:-1] + ("1" if inside.endswith("0") else "0")},
            headers=REGISTRAR,
        )
        assert r.status_code == 422
        assert r.json()["detail"].startswith("户主身份证号：")
        outsider = person_id(date(1980, 1, 1))
        r = await c.post(
            "/registry/v1/edge-households", json=body | {"head_resident_id": outsider}, headers=REGISTRAR
        )
        assert r.status_code == 201
        assert r.json()["head_name_masked"] == "陈**"
        listed = (await c.get("/registry/v1/edge-households", headers=REGISTRAR)).json()
        assert len(listed["items"]) == 1
        assert outsider not in str(listed)
