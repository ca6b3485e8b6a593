"""Plain async factories for funds integration tests: registry events, accounts, the Kaiping setup."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from services.funds.consumers import HANDLERS
from services.funds.policies.presets import ACCOUNTS, KAIPING_PER_CAPITA
from services.funds.schemes.schemas import from_rule
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import handle_event
from shared.tables import outbox
from tests.support import auth

KAIPING = "440783000000"
CHISHUI = "440783105000"
VILLAGE = "440783105201"
FINANCE = auth("finance", KAIPING, sub="kaiping-finance-officer")
CHISHUI_SIZES = [4] * 38 + [3] * 33  # 71 households, 251 people (seed 004)


def registry_event(type_: str, subject: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(source="jingzhun/registry", type=type_, subject=subject, data=data)


def registered(
    household_id: str,
    members: int,
    area: str = VILLAGE,
    batches: tuple[str, ...] = ("production_employment",),
) -> CloudEvent:
    return registry_event(
        "registry.household.registered.v1",
        household_id,
        {
            "household_id": household_id,
            "household_number": f"N-{household_id}",
            "area_code": area,
            "year": 2016,
            "member_count": members,
            "member_ids": [str(uuid.uuid4()) for _ in range(members)],
            "head_name_masked": "李*",
            "poverty_causes": ["lack_of_funds"],
            "batches": list(batches),
            "dibao": True,
            "registered_on": "2016-12-01",
        },
    )


async def deliver(db: Database, event: CloudEvent) -> bool:
    """As the consumer runner would: inbox row + handler in one transaction."""
    return await handle_event(db, "funds", event, HANDLERS)


async def register_chishui(db: Database) -> list[str]:
    ids = [f"hh-{i:03d}" for i in range(len(CHISHUI_SIZES))]
    for household_id, size in zip(ids, CHISHUI_SIZES, strict=True):
        await deliver(db, registered(household_id, size))
    return ids


async def open_kaiping_accounts(client: httpx.AsyncClient) -> None:
    for preset in ACCOUNTS:
        if preset.area_code.startswith("4407"):
            headers = auth("finance", preset.area_code[:4] + "0" * 8)
            r = await client.post(
                "/funds/v1/accounts",
                json={
                    "code": preset.code,
                    "name": preset.name,
                    "area_code": preset.area_code,
                    "kind": preset.kind,
                },
                headers=headers,
            )
            assert r.status_code == 201, r.text


async def receive_from_kaiping_finance(
    client: httpx.AsyncClient, amount_fen: int, headers: dict[str, str]
) -> None:
    """Kaiping's finance bureau pays ``amount_fen`` into the special account (what payments draw on)."""
    await client.post(
        "/funds/v1/ledger/transfers",
        json={
            "kind": "receipt",
            "from_account": "kaiping-finance",
            "to_account": "kaiping-special-account",
            "amount_fen": amount_fen,
        },
        headers=headers,
    )


async def kaiping_scheme(client: httpx.AsyncClient) -> str:
    """The county's Kaiping per-capita scheme as the finance office enters it; its id."""
    scheme = KAIPING_PER_CAPITA
    r = await client.post(
        "/funds/v1/schemes",
        json={
            "code": scheme.code,
            "name": scheme.name,
            "area_code": KAIPING,
            "params": from_rule(scheme),
        },
        headers=FINANCE,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def plan_for(client: httpx.AsyncClient, scheme_id: str, area: str) -> dict[str, Any]:
    r = await client.post(
        "/funds/v1/plans", json={"scheme_id": scheme_id, "area_code": area}, headers=FINANCE
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def kaiping_plan(client: httpx.AsyncClient, area: str = CHISHUI) -> dict[str, Any]:
    return await plan_for(client, await kaiping_scheme(client), area)


async def outbox_types(db: Database) -> list[str]:
    async with db.transaction() as s:
        return list((await s.execute(select(outbox.c.type).order_by(outbox.c.seq))).scalars())
