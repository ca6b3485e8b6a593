"""A plan's households at a glance: entitled, paid and left per household, over HTTP on real PostgreSQL."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    receive_from_kaiping_finance,
    registered,
)
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

SIZES = {"hh-a": 4, "hh-b": 3, "hh-c": 1, "hh-d": 2, "hh-e": 5}


async def every_page(client: httpx.AsyncClient, url: str, limit: int, headers: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    rows: list[dict] = []  # type: ignore[type-arg]
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        r = await client.get(url, params=params, headers=headers)
        assert r.status_code == 200, r.text
        rows += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return rows


async def test_each_household_totals_its_lines_and_its_payments(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        for hid, size in SIZES.items():
            await deliver(app.state.db, registered(hid, size))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        base = f"/funds/v1/plans/{plan['id']}"

        lines = await every_page(client, base + "/lines", 200, FINANCE)
        summed: Counter[str] = Counter()
        for line in lines:
            summed[line["beneficiary_id"]] += line["amount_fen"]
        rows = await every_page(client, base + "/households", 2, FINANCE)  # three pages
        assert [r["household_id"] for r in rows] == sorted(SIZES)  # each household once, by id
        before = {r["household_id"]: r for r in rows}
        for hid, row in before.items():
            assert row["entitled_fen"] == summed[hid] > 0  # exactly the sum of its lines, in fen
            assert (row["disbursed_fen"], row["remaining_fen"]) == (0, summed[hid])
        assert sum(r["entitled_fen"] for r in rows) == plan["total_fen"]

        await receive_from_kaiping_finance(client, yuan(10_000), FINANCE)
        pay = {
            "beneficiary_kind": "household",
            "beneficiary_id": "hh-b",
            "amount_fen": yuan(1_234) + 56,
            "from_account": "kaiping-special-account",
            "plan_id": plan["id"],
        }
        assert (
            r := await client.post("/funds/v1/disbursements", json=pay, headers=FINANCE)
        ).status_code == 201, r.text

        after = {r["household_id"]: r for r in await every_page(client, base + "/households", 200, FINANCE)}
        paid = after.pop("hh-b")
        assert paid["entitled_fen"] == summed["hh-b"]
        assert paid["disbursed_fen"] == yuan(1_234) + 56
        assert paid["remaining_fen"] == summed["hh-b"] - yuan(1_234) - 56
        assert after == {hid: row for hid, row in before.items() if hid != "hh-b"}  # no other row moved
        entitlement = (await client.get("/funds/v1/entitlements/household/hh-b", headers=FINANCE)).json()
        assert (entitlement["disbursed_fen"], entitlement["left_fen"]) == (
            paid["disbursed_fen"],
            paid["remaining_fen"],
        )

        # A plan made stale by a registry event answers with its last computation, as its lines do.
        await deliver(app.state.db, registered("hh-new", 2))
        assert (await client.get(base, headers=FINANCE)).json()["stale"] is True
        stale = await every_page(client, base + "/households", 200, FINANCE)
        assert "hh-new" not in {r["household_id"] for r in stale}
        assert len(stale) == len(SIZES)
        assert {
            line["beneficiary_id"] for line in await every_page(client, base + "/lines", 200, FINANCE)
        } == set(SIZES)


async def test_callers_outside_the_area_get_what_the_lines_give_them(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 3))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        base = f"/funds/v1/plans/{plan['id']}"
        outsiders = {
            "another county": auth("finance", "440781000000"),
            "another town": auth("finance", "440783106000"),
            "a cadre": auth("cadre", "440783105201"),
        }
        for who, headers in outsiders.items():
            lines = await client.get(base + "/lines", headers=headers)
            households = await client.get(base + "/households", headers=headers)
            assert lines.status_code in (403, 404), who
            assert households.status_code == lines.status_code, who
            assert households.json()["type"] == lines.json()["type"], who
        missing = "/funds/v1/plans/00000000-0000-0000-0000-000000000000/households"
        assert (await client.get(missing, headers=FINANCE)).status_code == 404
