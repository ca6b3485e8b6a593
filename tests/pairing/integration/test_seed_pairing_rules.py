"""Issue 10 item 10 on real PostgreSQL: pairing rules the seeds state both ways.

Seed 004 (Kaiping) 百企扶百村 / 建立“一村一企业”联结机制: one enterprise per old-area village and one
old-area village per enterprise. Seed 002 (Quanzhou) §十: seven named mountain-sea county pairs; a
pair outside the policy's list is refused unless a policy record adds it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import OFFICE, V1, V2, V3, area, helper, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio
QUANZHOU = auth(["registrar"], "350500000000", sub="quanzhou-office")
QUANZHOU_APPROVER = auth(["approver"], "350500000000", sub="quanzhou-approver")
LUOJIANG, CHANGTING = "350504000000", "350821000000"  # 洛江区 (coastal, not in the seed's list), 长汀县


async def test_one_enterprise_per_old_area_village_and_one_old_area_village_per_enterprise(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for village in (V1, V2, V3):
        await area(app, village, poor=True, old_area=True)
    enterprise = await helper(client, "enterprise")
    assert (await pair(client, "enterprise_village", enterprise, V1)).status_code == 201
    # the same enterprise cannot take a second village in Kaiping
    second = await pair(client, "enterprise_village", enterprise, V2)
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["rule"] == "one_village_per_enterprise"
    assert V1 in second.json()["detail"]
    # and a second enterprise cannot take the first one's village
    other = await helper(client, "enterprise")
    taken = await pair(client, "enterprise_village", other, V1)
    assert (taken.status_code, taken.json()["rule"]) == (409, "one_per_target")
    assert (await pair(client, "enterprise_village", other, V3)).status_code == 201


async def test_an_enterprise_pairs_with_a_key_old_area_village_only_as_the_registry_flags_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # Seed 004 五(十)2: 以新时期精准扶贫重点帮扶老区村为帮扶对象 — Chishui's 7 old-area villages are
    # the round's key villages; an old-area village the registry does not flag key is refused.
    await area(app, V1, old_area=True, key=False)
    enterprise = await helper(client, "enterprise")
    refused = await pair(client, "enterprise_village", enterprise, V1)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/pairing-rule-violated")
    assert refused.json()["rule"] == "key_old_area_village_only"
    assert (
        refused.json()["detail"]
        == f"百企扶百村以重点帮扶老区村为帮扶对象，村 {V1} 是老区村，但不是重点帮扶村"
    )
    body = {"kind": "enterprise_village", "helper_id": enterprise, "target_id": V1}
    english = await client.post("/pairing/v1/pairings", json=body, headers=OFFICE | {"Accept-Language": "en"})
    assert english.json()["detail"] == (
        f"kaiping: enterprises pair with key old-area villages (重点帮扶老区村); village {V1} is an "
        "old-area village but not a key village"
    )
    # the registry announces the village as a key village (registry.area.upserted.v1): now it may
    await area(app, V1, old_area=True, key=True)
    assert (await pair(client, "enterprise_village", enterprise, V1)).status_code == 201


async def _county(client: httpx.AsyncClient, code: str) -> str:
    body = {"kind": "county", "name": code, "level": "county", "area_code": code}
    r = await client.post("/pairing/v1/helpers", json=body, headers=QUANZHOU)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_a_county_pair_outside_the_seeds_list_is_refused_until_a_policy_record_adds_it(
    client: httpx.AsyncClient,
) -> None:
    licheng = await _county(client, "350502000000")
    named = {"kind": "county_county", "helper_id": licheng, "target_id": "350421000000"}  # 鲤城区-明溪县
    assert (await client.post("/pairing/v1/pairings", json=named, headers=QUANZHOU)).status_code == 201

    luojiang = await _county(client, LUOJIANG)
    outside = {"kind": "county_county", "helper_id": luojiang, "target_id": CHANGTING}
    refused = await client.post("/pairing/v1/pairings", json=outside, headers=QUANZHOU)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "county_pair_not_in_policy"
    assert "山海协作县结对" in refused.json()["detail"]  # Chinese first
    english = await client.post(
        "/pairing/v1/pairings", json=outside, headers=QUANZHOU | {"Accept-Language": "en"}
    )
    assert "7 mountain-sea pairs" in english.json()["detail"]

    record = {
        "area_prefix": "3505",
        "valid_from": "2018-05-02",  # the seed's date: in force for the tests' pinned today
        "county_pairs_added": [[LUOJIANG, CHANGTING]],
        "source": "泉州市山海协作补充结对(合成示例)",
    }
    put = await client.put("/pairing/v1/policies", json=record, headers=QUANZHOU_APPROVER)
    assert put.status_code == 204, put.text
    effective = await client.get(f"/pairing/v1/policies/effective?area_code={LUOJIANG}", headers=QUANZHOU)
    assert [LUOJIANG, CHANGTING] in effective.json()["county_pairs"], effective.json()
    assert len(effective.json()["county_pairs"]) == 8
    assert (await client.post("/pairing/v1/pairings", json=outside, headers=QUANZHOU)).status_code == 201
