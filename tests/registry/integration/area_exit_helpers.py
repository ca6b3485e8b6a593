"""Places and poor households for the village and county exit tests (synthetic codes below county)."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import httpx

from shared.resident_id import make
from tests.support import auth

GANSU_COUNTY = "620521000000"
GANSU_TOWN = "620521101000"
GANSU_VILLAGE = "620521101203"  # poor village, 300 rural people
GANSU_VILLAGE_299 = "620521101205"  # poor village, 299 rural people
GANSU_NOT_POOR = "620521101204"
GUANGYUAN_COUNTY = "510802000000"
GUANGYUAN_VILLAGE = "510802101201"  # poor village, 1,000 rural people

# English details: the assertions read the numbers in the detail (Chinese gives title + hint)
GANSU_CLERK = auth(["registrar", "approver"], GANSU_COUNTY, sub="gansu-clerk") | {"Accept-Language": "en"}
GUANGYUAN_CLERK = auth(["registrar", "approver"], GUANGYUAN_COUNTY, sub="guangyuan-clerk") | {
    "Accept-Language": "en"
}
# A village exit criterion: the poverty incidence below 3% (300 basis points).
INCIDENCE_BELOW_3 = {
    "code": "incidence",
    "label": "低于3%",
    "measure": "incidence",
    "source": "registry",
    "comparison": "below",
    "threshold": 300,
}
EVIDENCE = ["县扶贫办验收单 2018-017", "photo:road-2018-05.jpg"]

AREAS = [
    {"code": "620000000000", "name": "甘肃省"},
    {"code": "620500000000", "name": "天水市"},
    {"code": GANSU_COUNTY, "name": "清水县"},
    {"code": GANSU_TOWN, "name": "合成乡", "synthetic_code": True},
    {
        "code": GANSU_VILLAGE,
        "name": "合成一村",
        "poor_village": True,
        "rural_population": 300,
        "synthetic_code": True,
    },
    {"code": GANSU_NOT_POOR, "name": "合成二村", "rural_population": 500, "synthetic_code": True},
    {
        "code": GANSU_VILLAGE_299,
        "name": "合成三村",
        "poor_village": True,
        "rural_population": 299,
        "synthetic_code": True,
    },
    {"code": "510000000000", "name": "四川省"},
    {"code": "510800000000", "name": "广元市"},
    {"code": GUANGYUAN_COUNTY, "name": "利州区"},
    {"code": "510802101000", "name": "合成镇", "synthetic_code": True},
    {
        "code": GUANGYUAN_VILLAGE,
        "name": "合成四村",
        "poor_village": True,
        "rural_population": 1_000,
        "synthetic_code": True,
    },
]

GANSU_FACTORS = ("infrastructure", "public_services", "industry", "village_appearance")
GANSU_COUNTY_FACTORS = ("housing", "drinking_water", "education", "medical")
_seq = count(1)


def declared(codes: tuple[str, ...] | list[str], value: bool | int = True) -> list[dict[str, Any]]:
    return [{"criterion": c, "value": value, "evidence": EVIDENCE} for c in codes]


async def load_places(c: httpx.AsyncClient) -> None:
    for root in ("620000000000", "510000000000"):
        rows = [a for a in AREAS if a["code"][:2] == root[:2]]
        r = await c.post("/registry/v1/areas", json={"areas": rows}, headers=auth("registrar", root))
        assert r.status_code == 200, r.text


async def poor_households(c: httpx.AsyncClient, village: str, sizes: list[int]) -> None:
    """Registered households of the given sizes in ``village`` (imported as a roll)."""
    rows = []
    for size in sizes:
        members = []
        for i in range(size):
            n = next(_seq)
            members.append(
                {
                    "name": f"合成{n}",
                    "resident_id": make(village[:6], date(1960 + n % 40, 1 + n % 12, 1 + n % 28), n % 1000),
                    "relation": "head" if i == 0 else "child",
                    "labour_capacity": "full",
                }
            )
        rows.append(
            {
                "area_code": village,
                "year": 2017,
                "registered_on": "2017-06-01",
                "poverty_causes": ["illness"],
                "members": members,
            }
        )
    r = await c.post(
        "/registry/v1/households/imports",
        json={"households": rows, "source_roll": "2017年建档立卡名册（测试）", "reason": "历史名册导入"},
        headers=auth("approver", village),
    )
    assert r.status_code == 200, r.text
