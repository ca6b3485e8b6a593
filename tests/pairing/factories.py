"""Plain async factories for pairing's integration tests (synthetic places and households)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from services.pairing.consumers import HANDLERS
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import handle_event
from tests.support import auth

TODAY = date(2026, 11, 22)
COUNTY = "440783000000"  # Kaiping
TOWNSHIP = "440783101000"
V1, V2, V3 = "440783101201", "440783101202", "440783101203"
OTHER_COUNTY = "350502000000"  # Licheng, Quanzhou
OFFICE = auth(["registrar"], COUNTY, sub="kaiping-office")


def registry_event(
    type_: str, data: dict[str, Any], *, subject: str | None = None, at: date = TODAY
) -> CloudEvent:
    return CloudEvent(
        source="jingzhun/registry",
        type=type_,
        subject=subject or str(data.get("household_id") or data.get("code")),
        data=data,
        time=datetime(at.year, at.month, at.day, 9, tzinfo=UTC),
    )


async def deliver(app: FastAPI, event: CloudEvent) -> bool:
    db: Database = app.state.db
    return await handle_event(db, "pairing", event, HANDLERS)


async def area(
    app: FastAPI,
    code: str,
    *,
    level: str = "village",
    poor: bool = False,
    old_area: bool = False,
    key: bool | None = None,
) -> None:
    """An area as the registry announces it; ``key`` (重点帮扶村) follows ``old_area`` unless given:
    Chishui's old-area villages of the seed are its 7 key villages."""
    await deliver(
        app,
        registry_event(
            "registry.area.upserted.v1",
            {
                "code": code,
                "name": f"村{code[-3:]}",
                "level": level,
                "parent_code": code[:9] + "000",
                "poor_village": poor,
                "old_area_village": old_area,
                "key_village": old_area if key is None else key,
                "pairing_dispatch_level": None,
                "rural_population": 800,
                "collective_income_fen": None,
            },
        ),
    )


async def household(app: FastAPI, area_code: str = V1, *, event: str = "registered", **extra: Any) -> str:
    household_id = str(extra.pop("household_id", uuid.uuid4()))
    data = {
        "household_id": household_id,
        "area_code": area_code,
        "member_count": 3,
        "head_name_masked": "李*",
        "household_number": f"HH-{household_id[:8]}",
        "registered_on": "2026-03-01",
    }
    await deliver(app, registry_event(f"registry.household.{event}.v1", {**data, **extra}))
    return household_id


async def helper(client: httpx.AsyncClient, kind: str = "cadre", area_code: str = V1, **extra: Any) -> str:
    body = {
        "kind": kind,
        "name": extra.pop("name", f"{kind}-{uuid.uuid4().hex[:6]}"),
        "area_code": area_code,
        **extra,
    }
    r = await client.post("/pairing/v1/helpers", json=body, headers=OFFICE)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def pair(
    client: httpx.AsyncClient, kind: str, helper_id: str, target_id: str, **extra: Any
) -> httpx.Response:
    body = {"kind": kind, "helper_id": helper_id, "target_id": target_id, **extra}
    return await client.post("/pairing/v1/pairings", json=body, headers=OFFICE)
