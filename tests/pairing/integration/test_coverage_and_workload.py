"""Coverage numbers against a fixture, one gap event per gap, the periodic job, workload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.pairing.jobs import coverage_check
from shared.tables import outbox
from tests.pairing.factories import COUNTY, OFFICE, TOWNSHIP, V1, V2, V3, area, helper, household, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio
GAP = "pairing.coverage.gap_detected.v1"


async def _gap_events(app: FastAPI) -> list[dict]:  # type: ignore[type-arg]
    async with app.state.db.transaction() as s:
        rows = (await s.execute(select(outbox.c.envelope).where(outbox.c.type == GAP))).scalars().all()
    return [r["data"] for r in rows]


async def _fixture(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """Kaiping: 3 poor villages (V1 fully staffed, V2 team only, V3 nobody); 4 households to pair."""
    for code in (V1, V2, V3):
        await area(app, code, poor=True)
    team1, team2 = await helper(client, "work_team"), await helper(client, "work_team")
    secretary = await helper(client, "first_secretary")
    await pair(client, "work_team_village", team1, V1)
    await pair(client, "first_secretary_village", secretary, V1)
    await pair(client, "work_team_village", team2, V2)
    cadre = await helper(client, user_sub="cadre-zhao")
    visited, stale = await household(app, V1), await household(app, V1)
    await pair(client, "cadre_household", cadre, visited, started_on="2026-06-01")
    await pair(client, "cadre_household", cadre, stale, started_on="2026-06-01")
    unpaired = await household(app, V2)
    await household(app, V3, event="exited", policies_kept_until="2028-12-31")  # exited, no cadre: a gap too
    await household(app, V3, event="candidate_created")  # not on the roll: not counted
    visit = {
        "type": "visit",
        "id": str(uuid.uuid4()),
        "household_id": visited,
        "visited_on": "2026-11-01",
        "kind": "home_visit",
    }
    stale_visit = {**visit, "id": str(uuid.uuid4()), "household_id": stale, "visited_on": "2026-10-22"}
    r = await client.post(
        "/pairing/v1/sync/batches",
        json={"records": [visit, stale_visit]},
        headers=auth(["cadre"], V1, sub="cadre-zhao"),
    )
    assert r.json()["stored"] == 2
    return {"cadre": cadre, "stale": stale, "visited": visited, "unpaired": unpaired}


async def test_coverage_numbers_of_the_fixture(app: FastAPI, client: httpx.AsyncClient) -> None:
    await _fixture(app, client)
    numbers = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert numbers == {
        "area_prefix": "440783",
        "on": "2026-11-22",
        "households_to_pair": 4,
        "households_paired": 2,
        "households_without_cadre": 2,
        "poor_villages": 3,
        "villages_without_work_team": 1,
        "villages_without_first_secretary": 2,
        "cadres": 2,  # the cadre and the first secretary
        "cadres_over_cap": 0,
        "visits_overdue": 1,  # last visit 31 days ago; the interval is 30
        "townships_without_staff": 0,  # Kaiping asks 2 staff of a town office: no township here
        "villages_without_coordinator": 0,  # and no coordinator at all
        "county_pairs_missing": 0,  # Kaiping's policy names no mountain-sea pair
    }


async def test_a_clerk_reads_each_gaps_kind_in_chinese(app: FastAPI, client: httpx.AsyncClient) -> None:
    ids = await _fixture(app, client)
    await client.post("/pairing/v1/coverage/checks", headers=OFFICE)
    gaps = (await client.get("/pairing/v1/coverage/gaps?limit=50", headers=OFFICE)).json()["items"]
    labels = {g["kind"]: g["kind_label"] for g in gaps}
    assert labels["household_without_cadre"] == "贫困户未结对干部"
    assert labels["visit_overdue"] == "走访逾期"
    assert ids["stale"] in [g["subject_id"] for g in gaps if g["kind"] == "visit_overdue"]


async def test_each_gap_is_published_once_and_again_only_after_it_was_filled(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await _fixture(app, client)
    first = (await client.post("/pairing/v1/coverage/checks", headers=OFFICE)).json()
    assert first == {"opened": 6, "closed": 0, "open": 6}
    second = (await client.post("/pairing/v1/coverage/checks", headers=OFFICE)).json()
    assert second == {"opened": 0, "closed": 0, "open": 6}
    events = await _gap_events(app)
    assert len(events) == 6
    assert len({e["signal_key"] for e in events}) == 6
    assert f"pairing:household_without_cadre:{ids['unpaired']}:1" in {e["signal_key"] for e in events}

    # the unpaired household gets a cadre: its gap closes, no new event
    await pair(client, "cadre_household", await helper(client, area_code=V2), ids["unpaired"])
    third = (await client.post("/pairing/v1/coverage/checks", headers=OFFICE)).json()
    assert (third["opened"], third["closed"]) == (0, 1)
    gaps = (await client.get("/pairing/v1/coverage/gaps?kind=household_without_cadre", headers=OFFICE)).json()
    assert ids["unpaired"] not in [g["subject_id"] for g in gaps["items"]]

    # the cadre's pairing ends: the same household is a new gap with a new signal key
    pairing = (
        await client.get(f"/pairing/v1/pairings?target_id={ids['unpaired']}&active=true", headers=OFFICE)
    ).json()["items"][0]
    await client.post(
        f"/pairing/v1/pairings/{pairing['id']}/end",
        headers=OFFICE,
        json={"ended_on": "2026-11-22", "reason": "reassigned"},
    )
    assert (await client.post("/pairing/v1/coverage/checks", headers=OFFICE)).json()["opened"] == 1
    keys = [e["signal_key"] for e in await _gap_events(app) if e["subject_id"] == ids["unpaired"]]
    assert keys == [
        f"pairing:household_without_cadre:{ids['unpaired']}:1",
        f"pairing:household_without_cadre:{ids['unpaired']}:2",
    ]
    assert [
        n["household_id"] for n in (await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"]
    ] == [ids["unpaired"]]


async def test_the_periodic_job_ends_pairings_after_the_policy_period(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    household_id = await household(app, V1)
    await pair(client, "cadre_household", await helper(client), household_id, started_on="2026-01-01")
    await household(app, V1, household_id=household_id, event="exited", policies_kept_until="2026-12-31")
    # 23:00 on 31 December in China (15:00 UTC): the last day of the period, still inside
    await coverage_check(app.state.db, datetime(2026, 12, 31, 15, tzinfo=UTC))
    active = f"/pairing/v1/pairings?target_id={household_id}&active=true"
    assert len((await client.get(active, headers=OFFICE)).json()["items"]) == 1
    # 01:00 on 1 January in China, though UTC's date is still 31 December: the period is over
    await coverage_check(app.state.db, datetime(2026, 12, 31, 17, tzinfo=UTC))
    ended = (await client.get(f"/pairing/v1/pairings?target_id={household_id}", headers=OFFICE)).json()[
        "items"
    ]
    assert [(p["ended_on"], p["end_reason"]) for p in ended] == [("2027-01-01", "policy_period_over")]


async def test_a_cadre_sees_their_workload_and_overdue_households(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await _fixture(app, client)
    mine = (await client.get("/pairing/v1/workload/me", headers=auth(["cadre"], V1, sub="cadre-zhao"))).json()
    assert (mine["household_count"], mine["overdue_visits"], mine["cap"]) == (2, 1, 5)
    assert mine["visits_per_month"] == {
        "2026-06": 0,
        "2026-07": 0,
        "2026-08": 0,
        "2026-09": 0,
        "2026-10": 1,
        "2026-11": 1,
    }
    overdue = [h["household_id"] for h in mine["households"] if h["overdue"]]
    assert overdue == [ids["stale"]]
    # whom to visit: each household's number and its head (masked), not only its id
    whom = {(h["household_number"], h["head_name_masked"]) for h in mine["households"]}
    assert whom == {(f"HH-{ids['stale'][:8]}", "李*"), (f"HH-{ids['visited'][:8]}", "李*")}
    # and where each stands in the registry's words, as on every household answer (not a bare code)
    assert {(h["status"], h["status_label"]) for h in mine["households"]} == {("registered", "已建档立卡")}
    # the pairing's kind in the clerk's words beside its code
    (pairing,) = (await client.get(f"/pairing/v1/pairings?target_id={ids['stale']}", headers=OFFICE)).json()[
        "items"
    ]
    assert (pairing["kind"], pairing["kind_label"]) == ("cadre_household", "干部结对帮扶户")
    office_view = (await client.get(f"/pairing/v1/helpers/{ids['cadre']}/workload", headers=OFFICE)).json()
    assert office_view["household_count"] == 2
    other = auth(["cadre"], V1, sub="cadre-zhao")
    assert (
        await client.get(f"/pairing/v1/helpers/{ids['cadre']}/workload", headers=other)
    ).status_code == 403


async def test_an_office_narrows_coverage_to_one_village_of_its_area(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _fixture(app, client)
    v2 = (await client.get(f"/pairing/v1/coverage?area_code={V2}", headers=OFFICE)).json()
    assert (v2["area_prefix"], v2["households_to_pair"], v2["households_without_cadre"]) == (V2, 1, 1)
    assert (v2["poor_villages"], v2["villages_without_work_team"]) == (1, 0)
    outside = await client.get("/pairing/v1/coverage?area_code=350502101001", headers=OFFICE)
    assert outside.status_code == 404


async def test_a_cadres_list_uses_the_visit_interval_of_the_households_village_as_coverage_does(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A township cadre's household lies in a village whose office set a 15-day interval: a visit
    21 days ago is overdue in coverage, and the cadre's own list must say so too (it used the
    interval of the cadre's township, 30 days, and told the cadre all was well)."""

    approver = auth(["approver"], COUNTY, sub="kaiping-approver")
    body = {"area_prefix": V1, "valid_from": "2026-01-01", "visit_interval_days": 15, "source": "synthetic"}
    assert (await client.put("/pairing/v1/policies", json=body, headers=approver)).status_code == 204
    cadre = await helper(client, area_code=TOWNSHIP, user_sub="cadre-township")
    household_id = await household(app)
    assert (
        await pair(client, "cadre_household", cadre, household_id, started_on="2026-09-01")
    ).status_code == 201
    me = auth(["cadre"], TOWNSHIP, sub="cadre-township")
    visit = {
        "id": str(uuid.uuid4()),
        "household_id": household_id,
        "visited_on": "2026-11-01",
        "kind": "home_visit",
    }
    assert (await client.post("/pairing/v1/visits", json=visit, headers=me)).status_code == 201
    coverage = (await client.get(f"/pairing/v1/coverage?area_code={V1}", headers=OFFICE)).json()
    assert coverage["visits_overdue"] == 1, coverage
    mine = (await client.get("/pairing/v1/workload/me", headers=me)).json()
    assert [(h["next_visit_due"], h["overdue"]) for h in mine["households"]] == [("2026-11-16", True)]
    assert mine["overdue_visits"] == 1
