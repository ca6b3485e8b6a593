"""A recorded policy override changes only with the ETag read (If-Match), like registry's household
PATCH; recording a new area and date needs none."""

from __future__ import annotations

import httpx
import pytest

from tests.pairing.factories import COUNTY, OFFICE, V1
from tests.support import auth
from tests.support.conditional import (
    assert_conditional_put,
    assert_documents_conditions,
    assert_no_lost_update,
)

pytestmark = pytest.mark.asyncio
APPROVER = auth(["approver"], COUNTY, sub="kaiping-approver")


def _override(cap: int, valid_from: str = "2026-11-01") -> dict[str, object]:
    return {
        "area_prefix": "440783",
        "valid_from": valid_from,
        "cadre_household_cap": cap,
        "source": f"cap {cap}",
    }


async def test_an_override_changes_only_with_the_etag_read(client: httpx.AsyncClient) -> None:
    await assert_conditional_put(
        client,
        put_url="/pairing/v1/policies",
        get_url="/pairing/v1/policies/overrides/440783/2026-11-01",
        headers=APPROVER,
        first=_override(3),
        second=_override(2),
        shown=lambda body: (body["cadre_household_cap"], body["source"]),
        reader=OFFICE,
    )
    effective = (await client.get(f"/pairing/v1/policies/effective?area_code={V1}", headers=OFFICE)).json()
    assert effective["cadre_household_cap"] == 2
    got = (await client.get("/pairing/v1/policies/overrides/440783/2026-11-01", headers=OFFICE)).json()
    assert (got["version"], got["recorded_by"]) == (2, "kaiping-approver")
    # readable on its path only; a malformed prefix is 422
    elsewhere = auth(["approver"], "350502000000")
    url = "/pairing/v1/policies/overrides/440783/2026-11-01"
    assert (await client.get(url, headers=elsewhere)).status_code == 404
    assert (
        await client.get("/pairing/v1/policies/overrides/4407831/2026-11-01", headers=OFFICE)
    ).status_code == 422
    await assert_no_lost_update(
        client,
        put_url="/pairing/v1/policies",
        headers=APPROVER,
        first=_override(5, "2027-01-01"),
        second=_override(6, "2027-01-01"),
    )


async def test_every_update_route_documents_its_preconditions(client: httpx.AsyncClient) -> None:
    assert await assert_documents_conditions(client, "/pairing/v1/openapi.json") == [
        "PUT /pairing/v1/policies"
    ]
