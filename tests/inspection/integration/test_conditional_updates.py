"""Reduction targets and sign-off schemes change only with the ETag read (If-Match), like
registry's household PATCH; creating one needs none."""

from __future__ import annotations

import pytest

from tests.inspection.integration.helpers import app_for
from tests.support import auth, service_client
from tests.support.conditional import (
    assert_conditional_put,
    assert_documents_conditions,
    assert_no_lost_update,
)

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
CITY_INSPECTOR = auth("inspector", "620500000000", sub="city-inspector")
TARGETS = "/inspection/v1/assessments/targets"
SCHEMES = "/inspection/v1/signoff-schemes"
ADMIN = auth("admin", "440000000000")


def _scheme(code: str) -> dict:  # type: ignore[type-arg]
    return {
        "code": code,
        "levels": [
            {"level": "village", "positions": ["village_head", "exit_household"]},
            {"level": "township", "positions": ["township_head"]},
            {"level": "county", "positions": ["county_head"]},
        ],
        "household_position": "exit_household",
    }


async def test_a_target_changes_only_with_the_etag_read(make_db) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_db)
    async with service_client(app) as c:
        await assert_conditional_put(
            c,
            put_url=f"{TARGETS}/{COUNTY}/2026",
            get_url=f"{TARGETS}/{COUNTY}/2026",
            headers=CITY_INSPECTOR,
            first={"people": 20},
            second={"people": 15},
            shown=lambda body: body["people"],
        )
        got = (await c.get(f"{TARGETS}/{COUNTY}/2026", headers=auth("approver", COUNTY))).json()
        assert (got["people"], got["version"]) == (15, 2)  # the county reads its own target
        assert (
            await c.get(f"{TARGETS}/{COUNTY}/2026", headers=auth("approver", "620522000000"))
        ).status_code == 404
        assert (await c.get(f"{TARGETS}/000000000000/2026", headers=CITY_INSPECTOR)).status_code == 422
        # the assessment measures against the target as changed
        preview = await c.get(
            f"/inspection/v1/assessments/preview?area_code={COUNTY}&year=2026", headers=CITY_INSPECTOR
        )
        assert preview.status_code == 200
        (reduction,) = [i for i in preview.json()["indicators"] if i["name"] == "reduction"]
        assert reduction["denominator"] == 15
        await assert_no_lost_update(
            c,
            put_url=f"{TARGETS}/{COUNTY}/2027",
            headers=CITY_INSPECTOR,
            first={"people": 1},
            second={"people": 2},
        )


async def test_a_signoff_scheme_changes_only_with_the_etag_read(make_db) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_db)
    async with service_client(app) as c:
        await assert_conditional_put(
            c,
            put_url=f"{SCHEMES}/440783",
            get_url=f"{SCHEMES}/440783",
            headers=ADMIN,
            first=_scheme("kaiping-3-level"),
            second=_scheme("kaiping-3-level-2027"),
            shown=lambda body: body["code"],
            reader=auth("cadre", "440783000000"),
            absent=lambda r: r.json()["source"] == "preset" and "ETag" not in r.headers,
        )
        # a household's area shows the set it inherits from the county's record, without an ETag:
        # no record is stored at that path, and a PUT there creates one (no If-Match needed)
        village = await c.get(f"{SCHEMES}/440783105201", headers=auth("cadre", "440783000000"))
        assert (village.json()["code"], village.json()["area_prefix"], village.json()["version"]) == (
            "kaiping-3-level-2027",
            "440783",
            None,
        )
        assert "ETag" not in village.headers
        preset = await c.get(f"{SCHEMES}/62", headers=auth("cadre", "620521000000"))
        assert (preset.json()["source"], preset.json()["version"], "ETag" in preset.headers) == (
            "preset",
            None,
            False,
        )
        assert (await c.get(f"{SCHEMES}/440", headers=ADMIN)).status_code == 422
        await assert_no_lost_update(
            c, put_url=f"{SCHEMES}/440783105", headers=ADMIN, first=_scheme("a"), second=_scheme("b")
        )


async def test_every_update_route_documents_its_preconditions(make_db) -> None:  # type: ignore[no-untyped-def]
    async with service_client(app_for(make_db)) as c:
        assert sorted(await assert_documents_conditions(c, "/inspection/v1/openapi.json")) == [
            "PUT /inspection/v1/assessments/targets/{area_code}/{year}",
            "PUT /inspection/v1/signoff-schemes/{area_prefix}",
        ]
