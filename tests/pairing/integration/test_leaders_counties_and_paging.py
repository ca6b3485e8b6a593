"""Leaders and county pairs over HTTP, Idempotency-Key on writes, bounded cursor pages."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import OFFICE, TOWNSHIP, V1, area, helper, household, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio
QUANZHOU = auth(["registrar"], "350500000000", sub="quanzhou-office")


async def test_a_township_leader_links_villages_and_households_but_not_the_township(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await area(app, V1)
    await area(app, TOWNSHIP, level="township")
    leader = await helper(client, "leader", area_code=TOWNSHIP, level="township")
    assert (await pair(client, "leader_area", leader, V1)).status_code == 201
    assert (await pair(client, "leader_area", leader, await household(app, V1))).status_code == 201
    refused = await pair(client, "leader_area", leader, TOWNSHIP)
    assert (refused.status_code, refused.json()["rule"]) == (409, "leader_link_level")
    assert refused.json()["detail"] == "按开平市政策，乡镇级领导联系村、户，不联系乡镇"


async def test_licheng_helps_mingxi_and_no_second_coastal_county_may_take_mingxi(
    client: httpx.AsyncClient,
) -> None:
    async def county(code: str) -> str:
        body = {"kind": "county", "name": code, "level": "county", "area_code": code}
        return str((await client.post("/pairing/v1/helpers", json=body, headers=QUANZHOU)).json()["id"])

    licheng, fengze = await county("350502000000"), await county("350503000000")
    body = {"kind": "county_county", "helper_id": licheng, "target_id": "350421000000"}
    assert (await client.post("/pairing/v1/pairings", json=body, headers=QUANZHOU)).status_code == 201
    second = {**body, "helper_id": fengze}
    refused = await client.post("/pairing/v1/pairings", json=second, headers=QUANZHOU)
    assert (refused.status_code, refused.json()["rule"]) == (409, "one_per_target")


async def test_a_retried_pairing_with_the_same_idempotency_key_is_opened_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre, household_id = await helper(client), await household(app)
    body = {"kind": "cadre_household", "helper_id": cadre, "target_id": household_id}
    headers = {**OFFICE, "Idempotency-Key": "tablet-42-retry"}
    first = await client.post("/pairing/v1/pairings", json=body, headers=headers)
    again = await client.post("/pairing/v1/pairings", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"


async def test_lists_are_cursor_paged_and_the_page_size_is_bounded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for _ in range(5):
        await helper(client)
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = (await client.get(f"/pairing/v1/helpers?{query}", headers=OFFICE)).json()
        seen += [h["id"] for h in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5
    assert (await client.get("/pairing/v1/helpers?limit=201", headers=OFFICE)).status_code == 422
    assert (await client.get("/pairing/v1/helpers?cursor=garbage!", headers=OFFICE)).status_code == 422


async def test_ledger_entries_page_oldest_first(app: FastAPI, client: httpx.AsyncClient) -> None:
    cadre = await helper(client, user_sub="cadre-ledger")
    household_id = await household(app)
    await pair(client, "cadre_household", cadre, household_id, started_on="2026-01-01")
    me = auth(["cadre"], V1, sub="cadre-ledger")
    days = ["2026-03-01", "2026-01-15", "2026-02-01"]
    records = [
        {
            "type": "ledger_entry",
            "id": str(uuid.uuid4()),
            "household_id": household_id,
            "ledger": "measures",
            "year": 2026,
            "entry_on": day,
            "content": f"措施 {day}",
        }
        for day in days
    ]
    assert (await client.post("/pairing/v1/sync/batches", json={"records": records}, headers=me)).json()[
        "stored"
    ] == 3
    url = f"/pairing/v1/households/{household_id}/ledgers?limit=2"
    first = (await client.get(url, headers=me)).json()
    rest = (await client.get(f"{url}&cursor={first['next_cursor']}", headers=me)).json()
    assert [e["entry_on"] for e in first["items"] + rest["items"]] == sorted(days)
    assert rest["next_cursor"] is None


def _first_secretary_in_v1(started_on: str, ended_on: str) -> dict[str, object]:
    """A first secretary's posting (村第一书记) in the poor village V1, both days in post."""
    return {
        "area_code": V1,
        "role": "first_secretary",
        "started_on": started_on,
        "ended_on": ended_on,
        "in_poor_area": True,
    }


async def test_a_first_secretarys_year_in_a_poor_village_counts_as_grassroots_service(
    client: httpx.AsyncClient,
) -> None:
    secretary = await helper(client, "first_secretary")
    postings = f"/pairing/v1/helpers/{secretary}/postings"
    full = _first_secretary_in_v1("2024-03-01", "2025-03-01")
    # both ends are days in post: 2 March 2025 - 1 March 2026 is exactly one year (一年以上 includes it)
    exact = {**full, "started_on": "2025-03-02", "ended_on": "2026-03-01"}
    short = {**full, "started_on": "2025-03-02", "ended_on": "2026-02-28"}
    assert (await client.post(postings, json=full, headers=OFFICE)).json()["counts_as_grassroots_service"]
    assert (await client.post(postings, json=exact, headers=OFFICE)).json()["counts_as_grassroots_service"]
    assert not (await client.post(postings, json=short, headers=OFFICE)).json()[
        "counts_as_grassroots_service"
    ]
    backwards = {**full, "ended_on": "2024-01-01"}
    bad = await client.post(postings, json=backwards, headers=OFFICE)
    assert (bad.status_code, bad.json()["type"].rsplit("/", 1)[1]) == (422, "invalid-period")
    assert len((await client.get(postings, headers=OFFICE)).json()) == 3


async def test_a_posting_planned_past_today_counts_no_year_early_and_ends_when_the_cadre_leaves(
    client: httpx.AsyncClient,
) -> None:
    """A first secretary sent for two years from 1 November 2026 (last day 31 October 2028) has served
    three weeks by today (22 November 2026): no grassroots year yet. Leaving on today ends the
    posting on today, not on its planned day in 2028."""
    secretary = await helper(client, "first_secretary")
    postings = f"/pairing/v1/helpers/{secretary}/postings"
    planned = _first_secretary_in_v1("2026-11-01", "2028-10-31")
    added = await client.post(postings, json=planned, headers=OFFICE)
    assert (added.status_code, added.json()["counts_as_grassroots_service"]) == (201, False)
    left = await client.post(
        f"/pairing/v1/helpers/{secretary}/leave", json={"left_on": "2026-11-22"}, headers=OFFICE
    )
    assert left.status_code == 200, left.text
    [shown] = (await client.get(postings, headers=OFFICE)).json()
    assert (shown["ended_on"], shown["counts_as_grassroots_service"]) == ("2026-11-22", False)
    # a posting added after leaving may only be one that ended by the leaving day; nothing else is stored
    for ends in ({}, {"ended_on": "2026-11-23"}):
        late = await client.post(postings, json={**planned, **ends}, headers=OFFICE)
        assert (late.status_code, late.json()["rule"]) == (409, "posting_after_leave")
        assert (
            late.json()["detail"]
            == "该帮扶责任人已于 2026-11-22 离岗，任职须在离岗日或之前结束（请填写结束日期）"
        )
    earlier = {**planned, "started_on": "2020-03-01", "ended_on": "2022-02-28"}
    assert (await client.post(postings, json=earlier, headers=OFFICE)).json()["counts_as_grassroots_service"]
    assert len((await client.get(postings, headers=OFFICE)).json()) == 2


async def test_two_years_as_a_leader_or_volunteer_in_a_poor_village_are_not_grassroots_service(
    client: httpx.AsyncClient,
) -> None:
    """Gansu 逢提必下 names 村党组织第一书记、驻村工作队队员和支教支医干部: a doctor sent to support (支医)
    counts after a year, a township leader's link or a volunteer's two years do not."""
    years = {"area_code": V1, "started_on": "2023-01-01", "ended_on": "2024-12-31", "in_poor_area": True}
    counted = {}
    for kind, role in (("doctor", "支医干部"), ("leader", "leader"), ("volunteer", "volunteer")):
        postings = f"/pairing/v1/helpers/{await helper(client, kind)}/postings"
        r = await client.post(postings, json={**years, "role": role}, headers=OFFICE)
        assert r.status_code == 201, r.text
        counted[role] = r.json()["counts_as_grassroots_service"]
    assert counted == {"支医干部": True, "leader": False, "volunteer": False}


async def test_a_batch_record_with_an_odd_type_is_rejected_on_its_own(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await helper(client, user_sub="cadre-odd")
    r = await client.post(
        "/pairing/v1/sync/batches",
        json={"records": [{"type": 7, "id": 1}]},
        headers=auth(["cadre"], V1, sub="cadre-odd"),
    )
    assert r.status_code == 200
    assert [(x["type"], x["outcome"]) for x in r.json()["results"]] == [("7", "rejected")]


async def test_a_posting_resent_with_its_idempotency_key_is_recorded_once(client: httpx.AsyncClient) -> None:
    """A cadre on a weak signal sends again when no answer came: the same key answers the first
    posting; the same key with another posting is refused."""
    secretary = await helper(client, "first_secretary")
    postings = f"/pairing/v1/helpers/{secretary}/postings"
    posting = {"area_code": V1, "role": "first_secretary", "started_on": "2025-03-02", "in_poor_area": True}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await client.post(postings, json=posting, headers=OFFICE | key)
    again = await client.post(postings, json=posting, headers=OFFICE | key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert len((await client.get(postings, headers=OFFICE)).json()) == 1
    other = await client.post(postings, json={**posting, "started_on": "2025-04-01"}, headers=OFFICE | key)
    assert (other.status_code, other.json()["type"].rsplit("/", 1)[1]) == (409, "idempotency-key-reused")
