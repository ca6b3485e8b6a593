"""The demo loader pairs every demo household and poor village, and a second run adds nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.pairing.demo import load_demo
from services.pairing.models import Helper, Pairing
from tests.pairing.factories import OFFICE, TODAY, V1, V2, area, household
from tests.support import auth

pytestmark = pytest.mark.asyncio


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
