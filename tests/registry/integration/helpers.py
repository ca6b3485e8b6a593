"""Factories for registry integration tests: plain functions over the HTTP API."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

import httpx

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from shared.resident_id import make
from tests.support import auth, settings_for
from tests.support.identification import (  # noqa: F401 (the registry tests import them from here)
    confirm,
    head_signature,
    household_token,
    identify,
    notice_start,
    on_day,
)

COUNTY = "440783000000"
TOWN = "440783101000"  # synthetic code for Chishui town
VILLAGE = "440783101201"
OTHER_VILLAGE = "440783101202"
REGISTRAR = auth("registrar", VILLAGE)
OTHER_REGISTRAR = auth("registrar", OTHER_VILLAGE)
APPROVER = auth("approver", TOWN)
COUNTY_REGISTRAR = auth("registrar", COUNTY)
ADMIN = auth("admin", "440000000000")

_seq = count(1)


def registry_app(database_url: str, nats_url: str | None = None) -> Any:
    return create_app(settings_for(RegistrySettings, database_url, nats_url))


def person_id(born: date = date(1970, 5, 17), *, sex: str = "male") -> str:
    return make("440783", born, next(_seq) * 2 % 1000 + (1 if sex == "male" else 0), sex=sex)


def member(relation: str = "head", **over: Any) -> dict[str, Any]:
    data = {
        "name": over.pop("name", "王大明"),
        "resident_id": over.pop("resident_id", None) or person_id(),
        "relation": relation,
        "labour_capacity": "full",
    }
    return data | over


AREAS = [
    {"code": "440000000000", "name": "广东省"},
    {"code": "440700000000", "name": "江门市"},
    {"code": COUNTY, "name": "开平市", "rural_population": 2_000},
    {"code": TOWN, "name": "赤水镇(合成代码)", "synthetic_code": True},
    {
        "code": VILLAGE,
        "name": "步栏村",
        "old_area_village": True,
        "key_village": True,
        "rural_population": 1_000,
        "synthetic_code": True,
    },
    {
        "code": OTHER_VILLAGE,
        "name": "林屋村",
        "old_area_village": True,
        "key_village": True,
        "rural_population": 1_000,
        "synthetic_code": True,
    },
]


async def load_areas(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/registry/v1/areas", json={"areas": AREAS}, headers=auth("registrar", "440000000000")
    )
    assert r.status_code == 200, r.text


async def candidate(
    client: httpx.AsyncClient, members: list[dict[str, Any]] | None = None, **attrs: Any
) -> dict[str, Any]:
    body = {
        "area_code": attrs.pop("area_code", VILLAGE),
        "year": attrs.pop("year", 2017),
        "members": members
        or [member("head"), member("spouse", name="李小红", resident_id=person_id(sex="female"))],
        "poverty_causes": attrs.pop("poverty_causes", ["illness"]),
        "batches": attrs.pop("batches", ["production_employment"]),
        **attrs,
    }
    headers = REGISTRAR if body["area_code"] == VILLAGE else OTHER_REGISTRAR
    r = await client.post("/registry/v1/households", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def registered(client: httpx.AsyncClient, **kw: Any) -> dict[str, Any]:
    """A candidate entered 11 days ago, reviewed that day, on notice from the next day for its 7
    days, confirmed and registered today."""
    with on_day(notice_start() - timedelta(days=1)):
        h = await candidate(client, **kw)
    headers = REGISTRAR if h["area_code"] == VILLAGE else OTHER_REGISTRAR
    await identify(client, h, clerk=headers, approver=APPROVER)
    return (await client.get(f"/registry/v1/households/{h['id']}", headers=headers)).json()  # type: ignore[no-any-return]
