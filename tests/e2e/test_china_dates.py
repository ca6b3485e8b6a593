"""One clock, China time: at 04:20 in Beijing (20:20 UTC the day before) every service stamps
Beijing's date. Each service runs in its own OS process, its clock pinned by
JINGZHUN_CLOCK_FROZEN_AT, the way a container at UTC sees the first eight hours of a Chinese day.
"""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from shared.resident_id import make
from tests.support import auth

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

FROZEN_AT = "2026-12-03T20:20:00+00:00"  # 04:20 on 4 December in Beijing
BEIJING_DAY = "2026-12-04"
COUNTY, TOWN, VILLAGE = "440783000000", "440783101000", "440783101201"
REGISTRAR = auth("registrar", VILLAGE)
INSPECTOR = auth("inspector", COUNTY, sub="inspector-zhao")


@pytest.fixture
def system_env() -> dict[str, str]:
    return {"JINGZHUN_CLOCK_FROZEN_AT": FROZEN_AT}


async def _registry_notice(client: httpx.AsyncClient, system) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(
        system.url("registry", "/areas"),
        json={
            "areas": [
                {"code": "440000000000", "name": "广东省"},
                {"code": "440700000000", "name": "江门市"},
                {"code": COUNTY, "name": "开平市"},
                {"code": TOWN, "name": "赤水镇", "synthetic_code": True},
                {"code": VILLAGE, "name": "步栏村", "rural_population": 1000, "synthetic_code": True},
            ]
        },
        headers=auth("registrar", "440000000000"),
    )
    assert r.status_code == 200, r.text
    body = {
        "area_code": VILLAGE,
        "year": 2026,
        "poverty_causes": ["illness"],
        "members": [
            {
                "name": "时区测试",
                "resident_id": make("440783", date(1970, 1, 1), 8, sex="male"),
                "relation": "head",
                "labour_capacity": "full",
            }
        ],
    }
    r = await client.post(system.url("registry", "/households"), json=body, headers=REGISTRAR)
    assert r.status_code == 201, r.text
    created = r.json()
    base = system.url("registry", f"/households/{created['id']}")
    assert (await client.post(base + "/review-submission", headers=REGISTRAR)).status_code == 200
    review = {"result": "approved", "held_on": BEIJING_DAY}
    r = await client.post(base + "/review", json=review, headers=REGISTRAR)
    assert r.status_code == 200, r.text  # held "today": Beijing's today, not a day in the future
    # The notice starts today (Beijing); 7 days counting both ends: last day the 10th.
    r = await client.post(base + "/notice", json={"starts_on": BEIJING_DAY}, headers=REGISTRAR)
    assert r.status_code == 200, r.text
    assert r.json()["confirmable_on"] == "2026-12-11"
    # the household signs (逐户签字确认), but not before its notice has run
    head = created["members"][0]["id"]
    family = auth("household", VILLAGE, sub=str(created["id"]))
    r = await client.post(
        base + "/confirmation", json={"member_id": head, "capacity": "head"}, headers=family
    )
    assert r.status_code == 409
    assert r.json()["confirmable_on"] == "2026-12-11"
    board = (
        await client.get(
            f"http://127.0.0.1:{system.ports['registry']}/registry/v1/public/notices",
            params={"area_code": VILLAGE},
        )
    ).json()["items"]
    assert [(i["notice_starts_on"], i["notice_last_day"], i["current"]) for i in board] == [
        (BEIJING_DAY, "2026-12-10", True)
    ]


async def _inspection_deadline(client: httpx.AsyncClient, system) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(
        system.url("inspection", "/inspections"),
        json={
            "kind": "announced",
            "title": "凌晨的督查",
            "starts_on": BEIJING_DAY,
            "ends_on": BEIJING_DAY,
            "target_areas": [VILLAGE],
            "team": [{"name": "督查组长", "role": "leader"}, {"name": "人大代表", "role": "npc_deputy"}],
        },
        headers=INSPECTOR,
    )
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    r = await client.post(
        system.url("inspection", f"/inspections/{iid}/findings"),
        json={
            "area_code": VILLAGE,
            "category": "policy_not_delivered",
            "severity": "high",
            "title": "住房补贴未发放",
            "responsible_unit": "赤水镇扶贫站",
        },
        headers=INSPECTOR,
    )
    assert r.status_code == 201, r.text
    # raised on Beijing's 4 December; a high-severity finding has 15 days: the 19th
    assert (r.json()["raised_on"], r.json()["deadline"]) == (BEIJING_DAY, "2026-12-19")
    # it started "today" in Beijing, so it may conclude now (the UTC date is still the 3rd)
    r = await client.post(system.url("inspection", f"/inspections/{iid}/conclusion"), headers=INSPECTOR)
    assert r.status_code == 200, r.text


async def test_a_notice_window_and_a_deadline_at_0420_beijing_are_stamped_with_beijings_date(system) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(timeout=10) as client:
        await _registry_notice(client, system)
        await _inspection_deadline(client, system)
