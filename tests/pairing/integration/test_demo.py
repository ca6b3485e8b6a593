"""The demo loader pairs every demo household and poor village, and a second run adds nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.pairing.demo import DEMO_PROJECTIONS, load_demo
from services.pairing.models import Base, Helper, HouseholdRef, Pairing, Visit
from shared import demo as shared_demo
from tests.pairing.factories import OFFICE, TODAY, TOWNSHIP, V1, V2, area, helper, household, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio
QUANZHOU = auth(["registrar"], "350500000000", sub="quanzhou-office")
QZ_TOWNSHIP = "350524101000"
QZ_VILLAGES = ("350524101201", "350524101202", "350524101203")
USERS_VILLAGE = "350524101204"  # a village where only a user registered a household


async def _counts(app: FastAPI) -> tuple[int, int]:
    async with app.state.db.transaction() as s:
        helpers = (await s.execute(select(func.count()).select_from(Helper))).scalar_one()
        pairings = (await s.execute(select(func.count()).select_from(Pairing))).scalar_one()
    return int(helpers), int(pairings)


async def test_demo_covers_everything_and_is_idempotent(app: FastAPI, client: httpx.AsyncClient) -> None:
    await area(app, V1, poor=True, old_area=True)
    await area(app, V2, poor=True)
    for code in (V1, V1, V1, V2, V2):
        await household(app, code)
    await load_demo(app.state.db, today=TODAY)
    first = await _counts(app)
    await load_demo(app.state.db, today=TODAY)
    assert await _counts(app) == first

    numbers = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert (numbers["households_to_pair"], numbers["households_without_cadre"]) == (5, 0)
    assert numbers["visits_overdue"] == 1  # the demo leaves one household in five unvisited
    gaps = (await client.get("/pairing/v1/coverage/gaps", headers=OFFICE)).json()["items"]
    assert [g["kind"] for g in gaps] == ["visit_overdue"]  # published once, though the demo ran twice
    assert (numbers["villages_without_work_team"], numbers["villages_without_first_secretary"]) == (0, 0)
    county_pairs = (
        await client.get(
            "/pairing/v1/pairings?kind=county_county", headers=auth(["registrar"], "350500000000")
        )
    ).json()["items"]
    assert len(county_pairs) == 7
    doctors = (await client.get("/pairing/v1/pairings?kind=doctor_village", headers=OFFICE)).json()["items"]
    assert [p["target_id"] for p in doctors] == [V1]


async def test_the_demo_pairs_and_visits_only_its_own_households_and_reset_removes_exactly_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await area(app, V1, poor=True, old_area=True)
    demo_households = {await household(app, V1) for _ in range(5)}
    users = await household(app, V1)  # registered by a user (between two `make run`s, say)
    cadre = await helper(client, "cadre", V1, name="自己的干部", user_sub="my-cadre")
    assert (await pair(client, "cadre_household", cadre, users)).status_code == 201

    await load_demo(app.state.db, today=TODAY, households=demo_households)
    async with app.state.db.transaction() as s:
        await shared_demo.record_created(s)
        await shared_demo.record(s, "household", demo_households)
        await shared_demo.mark_loaded(s)

    async def of_user() -> tuple[list[str], int]:
        async with app.state.db.transaction() as s:
            helpers = (await s.execute(select(Pairing.helper_id).where(Pairing.target_id == users))).scalars()
            visits = (await s.execute(select(func.count()).where(Visit.household_id == users))).scalar_one()
        return [str(h) for h in helpers], int(visits)

    assert await of_user() == ([cadre], 0)  # no demo cadre, no invented visit
    async with app.state.db.transaction() as s:
        demo_visits = (await s.execute(select(func.count()).select_from(Visit))).scalar_one()
        demo_paired = (
            await s.execute(select(func.count()).where(Pairing.target_id.in_(demo_households)))
        ).scalar_one()
    assert (demo_visits, demo_paired) == (4, 5)  # four in five visited, every demo household paired

    async with app.state.db.transaction() as s:
        deleted = await shared_demo.remove(s, Base.metadata, projections=DEMO_PROJECTIONS)
    assert deleted["household_ref"] == 5
    assert deleted["visit"] == 4
    assert await of_user() == ([cadre], 0)
    async with app.state.db.transaction() as s:
        left = set((await s.execute(select(HouseholdRef.id))).scalars())
        helpers = [h.name for h in (await s.execute(select(Helper))).scalars()]
        pairings = (await s.execute(select(func.count()).select_from(Pairing))).scalar_one()
        assert await shared_demo.is_loaded(s)  # removed, and not loaded again on the next start
    assert {str(i) for i in left} == {users}
    assert helpers == ["自己的干部"]
    assert pairings == 1


async def _staffing(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[tuple[str, str], dict]:
    items = (await client.get("/pairing/v1/coverage/gaps?limit=100", headers=headers)).json()["items"]
    staffing = ("township_without_staff", "village_without_coordinator")
    return {(g["kind"], g["subject_id"]): g["detail"] for g in items if g["kind"] in staffing}


async def _targets(client: httpx.AsyncClient, headers: dict[str, str], kind: str) -> list[str]:
    items = (await client.get(f"/pairing/v1/pairings?kind={kind}&limit=100", headers=headers)).json()["items"]
    return sorted(p["target_id"] for p in items)


async def test_the_demo_staffs_its_townships_and_villages_as_the_seeds_ask_but_one_village(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Kaiping 七(二): 2 full-time staff in the town office, no coordinator asked; Quanzhou 十一: 1
    staff per township and 1 coordinator per village with exit tasks — but the demo leaves its
    first Quanzhou village without one, the one staffing gap a county officer sees and can act on."""
    await area(app, TOWNSHIP, level="township")
    await area(app, QZ_TOWNSHIP, level="township")
    for code in (V1, V2, *QZ_VILLAGES, USERS_VILLAGE):
        await area(app, code, poor=True)
    demo_households = {await household(app, code) for code in (V1, V2, *QZ_VILLAGES, *QZ_VILLAGES)}
    await household(app, USERS_VILLAGE)  # a user's own: the demo staffs nothing for it

    await load_demo(app.state.db, today=TODAY, households=demo_households)
    first = await _counts(app)
    await load_demo(app.state.db, today=TODAY, households=demo_households)
    assert await _counts(app) == first  # no second set of staff or coordinators

    assert await _targets(client, OFFICE, "township_staff") == [TOWNSHIP, TOWNSHIP]
    assert await _targets(client, OFFICE, "village_coordinator") == []
    assert await _staffing(client, OFFICE) == {}
    assert await _targets(client, QUANZHOU, "township_staff") == [QZ_TOWNSHIP]
    assert await _targets(client, QUANZHOU, "village_coordinator") == list(QZ_VILLAGES[1:])
    assert await _staffing(client, QUANZHOU) == {
        ("village_without_coordinator", QZ_VILLAGES[0]): {"staff": 0, "minimum": 1},  # the demo's example
        ("village_without_coordinator", USERS_VILLAGE): {"staff": 0, "minimum": 1},  # the user's to staff
    }
    # the coverage numbers count them as the gap list shows them: Quanzhou's two villages, none in Kaiping
    staffing_numbers = ("townships_without_staff", "villages_without_coordinator")
    quanzhou = (await client.get("/pairing/v1/coverage", headers=QUANZHOU)).json()
    assert [quanzhou[k] for k in staffing_numbers] == [0, 2]
    example = await client.get("/pairing/v1/coverage", params={"area_code": QZ_VILLAGES[0]}, headers=QUANZHOU)
    assert [example.json()[k] for k in staffing_numbers] == [0, 1]
    staffed = await client.get("/pairing/v1/coverage", params={"area_code": QZ_VILLAGES[1]}, headers=QUANZHOU)
    assert [staffed.json()[k] for k in staffing_numbers] == [0, 0]
    kaiping = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert [kaiping[k] for k in staffing_numbers] == [0, 0]
    async with app.state.db.transaction() as s:
        coordinators = select(Helper.name).where(Helper.kind == "village_coordinator")
        names = set((await s.execute(coordinators)).scalars())
    assert names == {"张协管员", "刘协管员"}  # synthetic names
