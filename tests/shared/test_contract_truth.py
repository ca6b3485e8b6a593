"""What the outside schemathesis run found, one request each (issue 15.6): the documents state what the
services do. The full engine runs are tests/fuzz/test_contracts.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from services.inspection.app import create_app as inspection_app
from services.inspection.settings import InspectionSettings
from services.pairing.app import create_app as PairingApp
from services.pairing.settings import PairingSettings
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


# ---- positive data accepted (issue 15.6): a schema-valid request is refused only as the document says


async def test_a_cursor_this_list_did_not_give_out_names_no_page(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        # well-formed (URL-safe base64), never given out: 404, not "malformed input" (was 422)
        r = await c.get("/registry/v1/identity-conflicts", params={"cursor": "bm9wZQ"}, headers=ADMIN)
        assert r.status_code == 404, r.text
        assert r.json()["type"].endswith("/cursor-not-found")
        assert r.json()["detail"].startswith("翻页游标无效")
        # outside the documented alphabet: the document says so, 422
        r = await c.get("/registry/v1/identity-conflicts", params={"cursor": "a b"}, headers=ADMIN)
        assert r.status_code == 422


async def test_an_office_without_a_helper_record_is_refused_as_a_caller_not_as_input(
    make_db: Callable[[str], str],
) -> None:
    app = PairingApp(settings_for(PairingSettings, make_db("pairing")))
    visit = {
        "id": "5b0c6a1e-4f7d-4c3a-9e21-0d2f8b6a7c10",
        "household_id": "e3e70682-c209-1cac-a29f-6fbed82c07cd",
        "visited_on": "2026-11-30",
        "kind": "home_visit",
    }
    async with service_client(app) as c:
        r = await c.post("/pairing/v1/visits", json=visit, headers=auth("registrar", "440000000000"))
        assert r.status_code == 403, r.text  # was 422
        assert r.json()["type"].endswith("/helper-not-named")
        assert "helper_id" in r.json()["detail"]


async def test_an_idempotency_key_reused_for_another_body_is_a_conflict(
    make_db: Callable[[str], str],
) -> None:
    async with service_client(_app(make_db, inspection_app, InspectionSettings, "inspection")) as c:
        headers = {**ADMIN, "Idempotency-Key": "k-15-6"}
        complaint = {
            "area_code": "440783101201",
            "category": "funds",
            "summary": "产业扶贫资金没有按时发放",
            "anonymous": True,
        }
        first = await c.post("/inspection/v1/complaints", json=complaint, headers=headers)
        assert first.status_code == 201, first.text
        other = await c.post(
            "/inspection/v1/complaints", json={**complaint, "summary": "另一件事"}, headers=headers
        )
        assert other.status_code == 409, other.text  # was 422
        assert other.json()["type"].endswith("/idempotency-key-reused")


async def test_an_area_outside_the_callers_is_not_found_and_its_own_area_is_forbidden(
    make_db: Callable[[str], str],
) -> None:
    city = auth(["inspector", "admin"], "440700000000")
    async with service_client(_app(make_db, inspection_app, InspectionSettings, "inspection")) as c:
        body = {"area_code": "350583000000", "year": 2026}  # a county of another province
        r = await c.post("/inspection/v1/assessments", json=body, headers=city)
        assert r.status_code == 404, r.text  # was 422
        assert r.json()["type"].endswith("/area-not-found")
        r = await c.get(
            "/inspection/v1/assessments/preview",
            params={"area_code": "350583000000", "year": 2026},
            headers=city,
        )
        assert r.status_code == 404, r.text  # was 422
        r = await c.put(
            "/inspection/v1/signoff-schemes/35",
            json={"code": "x", "levels": [{"level": "village", "positions": ["village_secretary"]}]},
            headers=city,
        )
        assert r.status_code == 404, r.text  # was 422
        county = auth(["inspector", "admin"], "440783000000")
        r = await c.post(
            "/inspection/v1/assessments", json={"area_code": "440783000000", "year": 2026}, headers=county
        )
        assert r.status_code == 403, r.text  # was 422: an area is assessed from above
        assert r.json()["type"].endswith("/own-area-not-assessed")
        # a city is not assessed: the document says so (county, township or village codes only)
        r = await c.post(
            "/inspection/v1/assessments", json={"area_code": "440700000000", "year": 2026}, headers=city
        )
        assert r.status_code == 422


async def test_cross_field_rules_are_in_the_document(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        schemas = (await c.get("/registry/v1/openapi.json")).json()["components"]["schemas"]
        assert [b.get("required") for b in schemas["MoveIn"]["anyOf"]] == [["note"], None]
        routes = next(
            s for s in schemas["PolicyRecordIn"]["properties"]["relapse_routes"]["anyOf"] if "allOf" in s
        )
        star = next(c for c in routes["allOf"] if c["contains"]["properties"]["cause"] == {"const": "*"})
        assert (star["minContains"], star["maxContains"]) == (1, 1)
        assert schemas["BoundedJsonValue"]["anyOf"][1]["maximum"] == 2**63 - 1
        assert schemas["MoveIn"]["additionalProperties"] == {"$ref": "#/components/schemas/BoundedJsonValue"}
        # a route for a cause no relapse case can name is refused (was stored, and never used)
        policy = {
            "area_prefix": "44",
            "year": 2026,
            "source": "粤扶贫〔2026〕1号",
            "relapse_routes": [
                {"cause": "bad_luck", "route": "chain", "wording": "x"},
                {"cause": "*", "route": "identification", "wording": "y"},
            ],
        }
        r = await c.put("/registry/v1/policies", json=policy, headers=ADMIN)
        assert r.status_code == 422, r.text  # was 204


async def test_a_dci_flag_is_a_json_boolean(make_db: Callable[[str], str]) -> None:
    async with service_client(_app(make_db, registry_app, RegistrySettings, "registry")) as c:
        r = await c.patch(
            "/registry/v1/dci/clients/tester",
            json={"rotate_secret": "yes"},
            headers={**ADMIN, "If-Match": '"1"'},
        )
        assert r.status_code == 422, r.text  # was taken as true (then 404/412 by the record's state)
