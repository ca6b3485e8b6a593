"""Quanzhou seed 002 十 through the pairing API: the seven named mountain-sea pairs are
obligations the coverage check holds the city to.

"做好我市鲤城区、丰泽区、泉港区、石狮市、晋江市、南安市、惠安县等7个县(市、区)分别与三明市明溪县、
南平市顺昌县、三明市宁化县、南平市政和县、龙岩市长汀县、宁德市古田县、南平市光泽县的对口帮扶工作" —
a named pair with no active county_county pairing is a gap (山海协作县未结对) of the helping
county; forming it closes the gap. Nothing else of §十 is checkable: 对口资金 "按照省上要求"
(no amount or date in the seed), 共促共建产业园区, and "沿海发达乡镇结对帮扶30个扶贫开发重点
乡镇" (the 30 townships are not named)."""

from __future__ import annotations

import httpx
import pytest

from tests.support import auth

pytestmark = pytest.mark.asyncio
QUANZHOU = auth(["registrar"], "350500000000", sub="quanzhou-office")
LICHENG = auth(["registrar"], "350502000000", sub="licheng-office")
# (helping coastal county, helped mountain county), as seed 002 十 lists them
SEED_PAIRS = {
    ("350502000000", "350421000000"),  # 鲤城区 – 明溪县
    ("350503000000", "350721000000"),  # 丰泽区 – 顺昌县
    ("350505000000", "350424000000"),  # 泉港区 – 宁化县
    ("350581000000", "350725000000"),  # 石狮市 – 政和县
    ("350582000000", "350821000000"),  # 晋江市 – 长汀县
    ("350583000000", "350922000000"),  # 南安市 – 古田县
    ("350521000000", "350723000000"),  # 惠安县 – 光泽县
}


async def _missing(client: httpx.AsyncClient, headers: dict[str, str]) -> set[tuple[str, str]]:
    assert (await client.post("/pairing/v1/coverage/checks", headers=headers)).status_code == 200
    r = await client.get(
        "/pairing/v1/coverage/gaps?kind=mountain_sea_pair_missing&limit=100", headers=headers
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert all(g["detail"] == {"helped_county": g["subject_id"]} for g in items)
    return {(g["area_code"], g["subject_id"]) for g in items}


async def test_each_named_mountain_sea_pair_not_formed_is_a_gap_until_it_is(
    client: httpx.AsyncClient,
) -> None:
    assert await _missing(client, QUANZHOU) == SEED_PAIRS
    coverage = (await client.get("/pairing/v1/coverage", headers=QUANZHOU)).json()
    assert coverage["county_pairs_missing"] == 7
    # a county office sees its own pair only
    assert await _missing(client, LICHENG) == {("350502000000", "350421000000")}

    r = await client.post(
        "/pairing/v1/helpers",
        json={"kind": "county", "name": "鲤城区", "level": "county", "area_code": "350502000000"},
        headers=QUANZHOU,
    )
    assert r.status_code == 201, r.text
    body = {"kind": "county_county", "helper_id": r.json()["id"], "target_id": "350421000000"}
    assert (await client.post("/pairing/v1/pairings", json=body, headers=QUANZHOU)).status_code == 201

    assert await _missing(client, QUANZHOU) == SEED_PAIRS - {("350502000000", "350421000000")}
    assert (await client.get("/pairing/v1/coverage", headers=QUANZHOU)).json()["county_pairs_missing"] == 6
    closed = await client.get(
        "/pairing/v1/coverage/gaps?kind=mountain_sea_pair_missing&open=false&limit=100", headers=QUANZHOU
    )
    assert [g["subject_id"] for g in closed.json()["items"] if g["closed_at"]] == ["350421000000"]

    # Kaiping's policy names no pair: no such gap, no count
    kaiping = auth(["registrar"], "440783000000", sub="kaiping-office")
    assert await _missing(client, kaiping) == set()
    assert (await client.get("/pairing/v1/coverage", headers=kaiping)).json()["county_pairs_missing"] == 0
