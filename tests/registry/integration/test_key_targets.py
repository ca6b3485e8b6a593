"""Key targets among the 低保 households (Kaiping seed 004), read from real registered households.

三(一): 按照2015年村(居)低保标准线内村(居)低保家庭325户915人纳入扶贫工作范围……其中，认定有劳动能力、且有
劳动意愿的城乡低保家庭71户251人……为新时期城乡精准扶贫重点帮扶贫困户.
五(一): 对全镇低保对象全面开展建档立卡工作，并在此基础上将有劳动能力且愿意接受帮扶的低保户识别出来，作为本轮
精准扶贫的重点帮扶对象……特别是要将低保线内有劳动能力的贫困残疾人作为重点扶持对象.
The seed registers every 低保 household and identifies the key targets among them: a report per area,
no refusal at registration."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import httpx
import pytest

from shared.resident_id import make
from tests.registry.integration.area_exit_helpers import GANSU_COUNTY, load_places
from tests.registry.integration.helpers import (
    COUNTY_REGISTRAR,
    OTHER_VILLAGE,
    REGISTRAR,
    TOWN,
    VILLAGE,
    load_areas,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
_seq = count(301)


def person(relation: str, labour: str = "full", **extra: Any) -> dict[str, Any]:
    born = date(2012, 4, 2) if labour == "not_of_age" else date(1975, 4, 2)
    return {
        "name": f"合成{next(_seq)}",
        "resident_id": make("440783", born, next(_seq) % 1000),
        "relation": relation,
        "labour_capacity": labour,
        **extra,
    }


async def _import(
    c: httpx.AsyncClient, households: list[tuple[str, dict[str, Any], list[dict[str, Any]]]]
) -> None:
    rows = [
        {
            "area_code": village,
            "year": 2017,
            "registered_on": "2017-06-01",
            "poverty_causes": ["illness"],
            "members": members,
            **flags,
        }
        for village, flags, members in households
    ]
    r = await c.post(
        "/registry/v1/households/imports",
        json={"households": rows, "source_roll": "2016年赤水镇低保名册（测试）", "reason": "历史名册导入"},
        headers=auth("approver", TOWN),
    )
    assert r.status_code == 200, r.text


def url(code: str) -> str:
    return f"/registry/v1/rollups/{code}/key-targets"


async def test_dibao_households_labour_capable_and_willing_are_the_key_targets_by_area(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        dibao = {"dibao": True}
        await _import(
            c,
            [
                # key target: 低保, a weak labourer with a disability counts as capable, willing
                (
                    VILLAGE,
                    dibao | {"labour_willing": True},
                    [person("head"), person("spouse", "partial", disability="肢体残疾")],
                ),
                (VILLAGE, dibao | {"labour_willing": False}, [person("head")]),  # not willing
                (VILLAGE, dibao, [person("head"), person("child", "not_of_age")]),  # willingness not recorded
                (VILLAGE, dibao | {"labour_willing": True}, [person("head", "none")]),  # no labour capacity
                (VILLAGE, {"labour_willing": True}, [person("head")]),  # willing, capable, not 低保
                (
                    OTHER_VILLAGE,
                    dibao | {"labour_willing": True},
                    [person("head"), person("spouse"), person("child", "not_of_age")],
                ),
            ],
        )
        r = await c.get(url(TOWN), headers=auth("approver", TOWN))
        assert r.status_code == 200, r.text
        town = r.json()
        figures = (
            "dibao_households",
            "dibao_persons",
            "key_target_households",
            "key_target_persons",
            "willingness_unknown_households",
            "disabled_capable_persons",
        )
        assert [town[k] for k in figures] == [5, 9, 2, 5, 1, 1]
        children = {ch["area_code"]: [ch[k] for k in figures] for ch in town["children"]}
        assert children[VILLAGE] == [4, 6, 1, 2, 1, 1]
        assert children[OTHER_VILLAGE] == [1, 3, 1, 3, 0, 0]
        # each area by its name, as the clerk knows it
        assert town["area_name"] == "赤水镇(合成代码)"
        assert {ch["area_code"]: ch["area_name"] for ch in town["children"]} == {
            VILLAGE: "步栏村",
            OTHER_VILLAGE: "林屋村",
        }
        assert [(h["area_code"], h["member_count"]) for h in town["households"]] == [
            (VILLAGE, 2),
            (OTHER_VILLAGE, 3),
        ]
        assert "有劳动能力且愿意接受帮扶的低保户" in town["source"]

        # listed by area a page at a time; the counts always cover the whole area
        first = (await c.get(url(TOWN), params={"limit": 1}, headers=auth("approver", TOWN))).json()
        assert [h["area_code"] for h in first["households"]] == [VILLAGE]
        assert first["key_target_households"] == 2
        rest = await c.get(
            url(TOWN), params={"limit": 1, "cursor": first["next_cursor"]}, headers=auth("approver", TOWN)
        )
        assert [h["area_code"] for h in rest.json()["households"]] == [OTHER_VILLAGE]
        assert rest.json()["next_cursor"] is None

        village = (await c.get(url(VILLAGE), headers=REGISTRAR)).json()
        assert (
            village["key_target_households"],
            village["household_number"] if "household_number" in village else None,
        ) == (1, None)

        # an outside reader (third-party evaluator) sees no count of fewer than k (5) households, no list
        out = (await c.get(url(TOWN), headers=auth("evaluator", TOWN))).json()
        assert (out["key_target_households"], out["households"]) == (None, [])

        # no other seed names key targets this way: Gansu's county has no such report
        await load_places(c)
        r = await c.get(url(GANSU_COUNTY), headers=auth("registrar", GANSU_COUNTY))
        assert r.status_code == 422, r.text
        assert "重点帮扶对象" in r.json()["detail"]
        assert (await c.get(url(TOWN), headers=COUNTY_REGISTRAR)).status_code == 200
