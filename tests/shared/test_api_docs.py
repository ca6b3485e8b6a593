"""/docs works on an intranet (no CDN), the spec is at /openapi.json too, "Authorize" sends a bearer
token, and every operation has a stable ``<resource>:<verb>`` id and a one-line summary."""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from shared.app import operation_id
from tests.support import settings_for

pytestmark = pytest.mark.asyncio
SERVICES = ("registry", "funds", "pairing", "inspection")
ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*:[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
# Operations that answer without a token (tests/security/test_auth_sweep.py keeps the same list).
PUBLIC = {
    "/funds/v1/public/disclosures",
    "/funds/v1/public/disclosures/{notice_id}",
    "/registry/v1/public/notices",
    "/registry/v1/public/rollups/{area_code}",
    "/health/live",
    "/health/ready",
}


def app_for(service: str) -> FastAPI:
    module = importlib.import_module(f"services.{service}.app")
    # no lifespan: the documentation needs neither the database nor NATS
    settings = settings_for(module.settings_class, "postgresql+asyncpg://x@127.0.0.1:1/x")
    app: FastAPI = module.create_app(settings)
    return app


@pytest_asyncio.fixture(params=SERVICES)
async def client(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    service = request.param
    transport = httpx.ASGITransport(app=app_for(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield service, c


@pytest.mark.parametrize("where", ["/docs", "/{service}/v1/docs"])
async def test_docs_page_loads_swagger_ui_from_the_service_itself(
    client: tuple[str, httpx.AsyncClient], where: str
) -> None:
    service, c = client
    page = await c.get(where.format(service=service))
    assert page.status_code == 200
    html = page.text
    external = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']?(?:https?:)?//[^"'\s>]+""", html)
    assert not external, f"/docs loads from another host: {external}"
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert any(a.endswith(".js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        r = await c.get(asset)
        assert r.status_code == 200, asset
        assert len(r.content) > 100, asset
    bundle = await c.get(next(a for a in assets if a.endswith("swagger-ui-bundle.js")))
    assert b"SwaggerUIBundle" in bundle.content
    assert f"'/{service}/v1/openapi.json'" in html
    assert '"validatorUrl": null' in html  # no call to the public spec validator either


async def test_spec_is_served_at_the_root_and_under_the_api_root(
    client: tuple[str, httpx.AsyncClient],
) -> None:
    service, c = client
    root = await c.get("/openapi.json")
    under = await c.get(f"/{service}/v1/openapi.json")
    assert root.status_code == under.status_code == 200
    assert root.json() == under.json()
    assert root.json()["info"]["title"] == f"Jingzhun {service}"


async def test_bearer_scheme_is_declared_on_every_operation_that_needs_a_token(
    client: tuple[str, httpx.AsyncClient],
) -> None:
    _, c = client
    spec = (await c.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
        }
    }
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if path in PUBLIC:
                assert not op.get("security"), f"{method} {path} needs no token"
            else:
                assert op.get("security") == [{"bearerAuth": []}], f"{method.upper()} {path}"


async def test_every_operation_has_a_unique_stable_id_and_a_one_line_summary(
    client: tuple[str, httpx.AsyncClient],
) -> None:
    service, c = client
    spec = (await c.get("/openapi.json")).json()
    ids: dict[str, str] = {}
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            op_id = op.get("operationId", "")
            assert ID.match(op_id), f"{where}: {op_id!r} is not <resource>:<verb>"
            assert op_id not in ids, f"{where} and {ids.get(op_id)} share {op_id}"
            ids[op_id] = where
            summary: Any = op.get("summary")
            assert isinstance(summary, str)
            assert summary.strip()
            assert "\n" not in summary
            assert len(summary) <= 100
    assert len(ids) >= 15
    # the same app built again names every operation the same way
    again = app_for(service).openapi()
    assert {op["operationId"] for ops in again["paths"].values() for op in ops.values()} == set(ids)


async def test_known_operation_ids() -> None:
    spec = app_for("registry").openapi()
    households = spec["paths"]["/registry/v1/households"]
    assert households["post"]["operationId"] == "households:create-candidate"
    assert households["get"]["operationId"] == "households:search"
    assert spec["paths"]["/registry/v1/households/{household_id}"]["get"]["operationId"] == "households:read"
    assert operation_id("/funds/v1/accounts/{code}", "get_account", "/funds/v1") == "accounts:get"
    edge = operation_id("/pairing/v1/edge-households", "add_edge_household", "/pairing/v1")
    assert edge == "edge-households:add"
    assert operation_id("/health/live", "live", "/registry/v1") == "health:live"
