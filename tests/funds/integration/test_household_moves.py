"""A household moves to another village (registry.household.updated.v1, change "moved"): the
beneficiary projection takes the new village, the plans of both villages are recomputed, money
already paid stays where it was paid, and the household cannot be paid its share twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.funds.app import create_app
from services.funds.schemes.service import refresh_job
from services.funds.settings import FundsSettings
from shared.events import CloudEvent
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    deliver,
    kaiping_scheme,
    open_kaiping_accounts,
    plan_for,
    registered,
)
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio

VILLAGE_A, VILLAGE_B = "440783105201", "440783105202"
RECEIPT = {
    "kind": "receipt",
    "from_account": "jiangmen-poverty-fund",
    "to_account": "kaiping-special-account",
}


def moved(household_id: str, to: str, frm: str, members: int) -> CloudEvent:
    return CloudEvent(
        source="jingzhun/registry",
        type="registry.household.updated.v1",
        subject=household_id,
        time=datetime.now(UTC) + timedelta(seconds=1),  # later news than the registration
        data={
            "household_id": household_id,
            "area_code": to,
            "status": "registered",
            "member_count": members,
            "member_ids": [],
            "poverty_causes": ["lack_of_funds"],
            "batches": ["production_employment"],
            "change": "moved",
            "from_area_code": frm,
            "moved_on": "2017-03-01",
            "reason": "relocation",
        },
    )


async def test_the_plans_follow_the_household_and_paid_money_stays(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 4, area=VILLAGE_A))
        await deliver(app.state.db, registered("hh-b", 3, area=VILLAGE_B))
        await open_kaiping_accounts(client)
        scheme_id = await kaiping_scheme(client)
        plans = {village: await plan_for(client, scheme_id, village) for village in (VILLAGE_A, VILLAGE_B)}
        assert (plans[VILLAGE_A]["total_fen"], plans[VILLAGE_B]["total_fen"]) == (yuan(80_000), yuan(60_000))

        await client.post(
            "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(200_000)}, headers=FINANCE
        )
        paid = await client.post(
            "/funds/v1/disbursements",
            json={
                "beneficiary_kind": "household",
                "beneficiary_id": "hh-a",
                "amount_fen": yuan(20_000),
                "from_account": "kaiping-special-account",
                "plan_id": plans[VILLAGE_A]["id"],
            },
            headers=FINANCE,
        )
        assert paid.status_code == 201, paid.text

        event = moved("hh-a", VILLAGE_B, VILLAGE_A, 4)
        assert await deliver(app.state.db, event) is True
        beneficiaries = (await client.get("/funds/v1/beneficiaries", headers=FINANCE)).json()["items"]
        assert {b["ref_id"]: b["area_code"] for b in beneficiaries if b["ref_id"].startswith("hh-")} == {
            "hh-a": VILLAGE_B,
            "hh-b": VILLAGE_B,
        }
        for village in (VILLAGE_A, VILLAGE_B):
            pending = (await client.get(f"/funds/v1/plans/{plans[village]['id']}", headers=FINANCE)).json()
            assert pending["stale"] is True, village

        await refresh_job(app.state.db, datetime.now(UTC))
        a = (await client.get(f"/funds/v1/plans/{plans[VILLAGE_A]['id']}", headers=FINANCE)).json()
        b = (await client.get(f"/funds/v1/plans/{plans[VILLAGE_B]['id']}", headers=FINANCE)).json()
        assert (a["people"], a["total_fen"]) == (0, 0)
        assert (b["people"], b["total_fen"]) == (7, yuan(140_000))

        # the payment stays where (and under the plan) it was made
        shown = (await client.get(f"/funds/v1/disbursements/{paid.json()['id']}", headers=FINANCE)).json()
        assert (shown["area_code"], shown["plan_id"]) == (VILLAGE_A, plans[VILLAGE_A]["id"])
        # the household's share under the new village's plan counts what it was already paid
        left = await client.get(
            "/funds/v1/entitlements/household/hh-a", params={"plan_id": b["id"]}, headers=FINANCE
        )
        assert (left.json()["entitlement_fen"], left.json()["left_fen"]) == (yuan(80_000), yuan(60_000))
        too_much = await client.post(
            "/funds/v1/disbursements",
            json={
                "beneficiary_kind": "household",
                "beneficiary_id": "hh-a",
                "amount_fen": yuan(60_000) + 1,
                "from_account": "kaiping-special-account",
                "plan_id": b["id"],
            },
            headers=FINANCE,
        )
        assert too_much.status_code == 409

        # redelivery changes nothing
        assert await deliver(app.state.db, event) is False
