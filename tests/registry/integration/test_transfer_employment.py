"""Seed 003 (Gansu) 七个一批 注2 read from real households: 转移就业脱贫为贫困户户表信息中年龄在18-60岁、
有劳动能力、非在校生且有务工信息贫困人口的统计数据. Both ages are included: 18 from the 18th birthday,
60 until the 61st."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import httpx
import pytest

from shared.resident_id import make
from tests.registry.integration.area_exit_helpers import GANSU_COUNTY, GANSU_VILLAGE, load_places
from tests.registry.integration.helpers import (
    COUNTY,
    COUNTY_REGISTRAR,
    REGISTRAR,
    VILLAGE,
    load_areas,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
READER = auth("registrar", GANSU_COUNTY)
_seq = count(11)


def person(relation: str, born: date, labour: str = "full", **flags: bool) -> dict[str, Any]:
    return {
        "name": f"合成{next(_seq)}",
        "resident_id": make(GANSU_VILLAGE[:6], born, next(_seq) % 1000),
        "relation": relation,
        "labour_capacity": labour,
        **flags,
    }


async def _import(c: httpx.AsyncClient, households: list[list[dict[str, Any]]]) -> None:
    rows = [
        {
            "area_code": GANSU_VILLAGE,
            "year": 2017,
            "registered_on": "2017-06-01",
            "poverty_causes": ["illness"],
            "batches": ["industry"],  # tagged another batch: the figure is counted, not tagged
            "members": members,
        }
        for members in households
    ]
    r = await c.post(
        "/registry/v1/households/imports",
        json={"households": rows, "source_roll": "2017年建档立卡名册（测试）", "reason": "历史名册导入"},
        headers=auth("approver", GANSU_VILLAGE),
    )
    assert r.status_code == 200, r.text


def url(code: str, on: str) -> str:
    return f"/registry/v1/rollups/{code}/transfer-employment?on={on}"


async def test_poor_people_aged_18_to_60_labour_capable_not_in_school_with_work_info(make_db) -> None:
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_places(c)
        await _import(
            c,
            [
                [
                    person("head", date(2000, 6, 1), migrant_work=True),  # 18 on 1 June 2018
                    person("spouse", date(2000, 6, 2), migrant_work=True),  # 18 the day after
                ],
                [
                    person("head", date(1957, 6, 2), migrant_work=True),  # 60 until 2 June 2018
                    person("spouse", date(1957, 6, 1), migrant_work=True),  # 61 on 1 June 2018
                    person("child", date(1995, 3, 1), "partial", migrant_work=True, in_school=True),
                ],
                [
                    person("head", date(1980, 1, 1), "none", migrant_work=True),  # no labour capacity
                    person("spouse", date(1980, 1, 1)),  # no work information
                ],
            ],
        )
        first = await c.get(url(GANSU_COUNTY, "2018-06-01"), headers=READER)
        assert first.status_code == 200, first.text
        f = first.json()
        assert (f["households"], f["persons"], f["min_age"], f["max_age"]) == (2, 2, 18, 60)
        assert "18-60岁" in f["source"]
        nxt = (await c.get(url(GANSU_VILLAGE, "2018-06-02"), headers=READER)).json()
        assert (nxt["households"], nxt["persons"]) == (1, 2)  # one turned 18, one turned 61

        # an outside reader (third-party evaluator) sees no count of fewer than 5 households
        out = (await c.get(url(GANSU_COUNTY, "2018-06-01"), headers=auth("evaluator", GANSU_COUNTY))).json()
        assert (out["households"], out["persons"]) == (None, None)

        # Kaiping's three batches have no transfer-employment batch
        await load_areas(c)
        r = await c.get(url(COUNTY, "2018-06-01"), headers=COUNTY_REGISTRAR | {"Accept-Language": "en"})
        assert r.status_code == 422
        assert "no transfer-employment batch" in r.json()["detail"]
        assert (await c.get(url(VILLAGE, "2018-06-01"), headers=REGISTRAR)).status_code == 422
