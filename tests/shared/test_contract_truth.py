"""What the outside schemathesis run found, one request each (issue 15.6): the documents state what the
services do. The full engine runs are tests/fuzz/test_contracts.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from services.inspection.app import create_app as inspection_app
from services.inspection.settings import InspectionSettings
from services.registry.app import create_app as registry_app
from services.registry.settings import RegistrySettings
from shared.fields import AREA_CODE_OR_PREFIX_PATTERN, AREA_CODE_PATTERN
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
ADMIN = auth(["admin", "registrar", "inspector", "complaint_handler"], "440000000000")
HOUSEHOLD = "/registry/v1/households/e3e70682-c209-1cac-a29f-6fbed82c07cd"


def _app(make_db: Callable[[str], str], factory: Any, settings_class: Any, name: str) -> Any:
    return factory(settings_for(settings_class, make_db(name)))


async def test_405_lists_every_method_of_the_resource(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        spec = (await c.get("/registry/v1/openapi.json")).json()
        for path, documented in [
            (HOUSEHOLD, {"GET", "PATCH"}),
            ("/registry/v1/households", {"GET", "POST"}),
        ]:
            r = await c.request("DELETE", path, headers=ADMIN)
            assert r.status_code == 405
            assert r.headers["content-type"] == "application/problem+json"
            assert set(r.headers["allow"].split(", ")) == documented
            template = re.sub(r"[0-9a-f-]{36}", "{household_id}", path)
            assert {m.upper() for m in spec["paths"][template]} == documented


async def test_a_method_the_imports_resource_lacks_is_405_not_a_bad_household_id(
    make_db: Callable[[str], str],
) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        r = await c.patch("/registry/v1/households/imports", json={}, headers=ADMIN)
        assert r.status_code == 405, r.text
        assert r.headers["allow"] == "POST"
        # a segment that is no UUID names no household: 404, not "fix the household id"
        r = await c.get("/registry/v1/households/not-a-uuid", headers=ADMIN)
        assert r.status_code == 404
        assert r.json()["type"].endswith("/not-found")


async def test_documented_area_code_patterns_are_what_the_code_takes(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        spec = (await c.get("/registry/v1/openapi.json")).json()
        params = {p["name"]: p for p in spec["paths"]["/registry/v1/areas/{code}"]["get"]["parameters"]}
        assert params["code"]["schema"]["pattern"] == AREA_CODE_OR_PREFIX_PATTERN
        household_in = spec["components"]["schemas"]["HouseholdIn"]
        assert household_in["properties"]["area_code"]["pattern"] == AREA_CODE_PATTERN
        for code, status in [("0", 422), ("000000000000", 422), ("44", 404), ("440000000000", 404)]:
            r = await c.get(f"/registry/v1/areas/{code}", headers=ADMIN)
            assert r.status_code == status, (code, r.text)
            assert bool(re.match(AREA_CODE_OR_PREFIX_PATTERN, code)) == (status != 422)
        r = await c.post("/registry/v1/households", json={"area_code": "000000000000"}, headers=ADMIN)
        assert r.status_code == 422
        assert any(e["field"] == "body.area_code" for e in r.json()["errors"])


async def test_bodies_too_large_are_documented(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        spec = (await c.get("/registry/v1/openapi.json")).json()
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if "requestBody" in op:
                    assert "application/problem+json" in op["responses"]["413"]["content"], (method, path)


async def test_dates_are_iso_and_code_lists_are_enumerations(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, inspection_app, InspectionSettings, "inspection")) as c:
        stats = "/inspection/v1/complaints/statistics"
        r = await c.get(stats, params={"until": "0"}, headers=ADMIN)
        assert r.status_code == 422, r.text  # was 200, "until 1970-01-01"
        r = await c.get(stats, params={"since": "2026-01-01", "until": "2026-12-31"}, headers=ADMIN)
        assert r.status_code == 200, r.text
        spec = (await c.get("/inspection/v1/openapi.json")).json()
        schemas = spec["components"]["schemas"]
        category = schemas["ComplaintIn"]["properties"]["category"]["enum"]
        assert {"funds", "exit"} <= set(category)
        assert "数字脱贫" in category  # the Chinese labels are taken too
        assert "urgent" in schemas["TriageIn"]["properties"]["urgency"]["enum"]
        r = await c.post(
            "/inspection/v1/complaints",
            json={"area_code": "440000000000", "category": "no-such", "summary": "x"},
            headers=ADMIN,
        )
        assert r.status_code == 422
