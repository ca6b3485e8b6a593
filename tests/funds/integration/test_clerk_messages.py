"""What a finance clerk reads when a payment is refused, in Chinese and (Accept-Language: en) English."""

from __future__ import annotations

import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    register_chishui,
    registered,
)
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio

EN = {**FINANCE, "Accept-Language": "en"}


async def test_paying_a_household_outside_the_plan_says_it_is_not_listed(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        # registered, but in a batch the Kaiping scheme does not count: not among the plan's lines
        await deliver(app.state.db, registered("floor-1", 3, batches=("dibao_floor",)))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        lines = (await client.get(f"/funds/v1/plans/{plan['id']}/lines", headers=FINANCE)).json()["items"]
        assert {line["beneficiary_id"] for line in lines} >= {"hh-000", "hh-001"}
        assert "floor-1" not in {line["beneficiary_id"] for line in lines}

        pay = {
            "beneficiary_kind": "农户",
            "beneficiary_id": "floor-1",
            "amount_fen": yuan(1_500),
            "from_account": "kaiping-special-account",
            "plan_id": plan["id"],
            "year": 2017,
        }
        r = await client.post("/funds/v1/disbursements", json=pay, headers=FINANCE)
        assert r.status_code == 409, r.text
        problem = r.json()
        assert problem["type"].endswith("/beneficiary-not-in-plan")
        assert "该农户不在本资金计划的受益名单中" in problem["detail"]
        assert "超过剩余应享额度" not in problem["detail"]
        assert "重新计算计划" in problem["detail"]  # what to do
        assert (problem["beneficiary_id"], problem["plan_id"]) == ("floor-1", plan["id"])

        en = (await client.post("/funds/v1/disbursements", json=pay, headers=EN)).json()
        assert en["type"].endswith("/beneficiary-not-in-plan")
        assert "not among the beneficiaries of this plan" in en["detail"]
        assert "recompute the plan" in en["detail"]
