"""Policy overrides over HTTP: a lower cap refuses the next household and shows a cadre over it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.pairing.factories import COUNTY, OFFICE, V1, helper, household, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio
APPROVER = auth(["approver"], COUNTY, sub="kaiping-approver")


async def test_a_lowered_cap_refuses_the_next_household_and_flags_the_cadre(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre = await helper(client)
    for _ in range(4):
        assert (await pair(client, "cadre_household", cadre, await household(app))).status_code == 201
    body = {
        "area_prefix": "440783",
        "valid_from": "2026-11-01",
        "cadre_household_cap": 3,
        "source": "开平市扶贫办 2026 年通知 (synthetic)",
    }
    assert (await client.put("/pairing/v1/policies", json=body, headers=APPROVER)).status_code == 204
    effective = (await client.get(f"/pairing/v1/policies/effective?area_code={V1}", headers=OFFICE)).json()
    assert (effective["preset"], effective["cadre_household_cap"], effective["visit_interval_days"]) == (
        "kaiping",
        3,
        30,
    )
    refused = await pair(client, "cadre_household", cadre, await household(app))
    assert (refused.status_code, refused.json()["rule"]) == (409, "cadre_cap")
    numbers = (await client.get("/pairing/v1/coverage", headers=OFFICE)).json()
    assert numbers["cadres_over_cap"] == 1


async def test_only_an_approver_of_the_area_sets_policy(client: httpx.AsyncClient) -> None:
    body = {"area_prefix": "440783", "valid_from": "2026-11-01", "cadre_household_cap": 3, "source": "x"}
    assert (await client.put("/pairing/v1/policies", json=body, headers=OFFICE)).status_code == 403
    elsewhere = auth(["approver"], "350502000000", sub="licheng-approver")
    assert (await client.put("/pairing/v1/policies", json=body, headers=elsewhere)).status_code == 404
    bad = {**body, "cadre_household_cap": 0}
    assert (await client.put("/pairing/v1/policies", json=bad, headers=APPROVER)).status_code == 422
