"""The ledger on real PostgreSQL: balanced, never overdrawn under parallel load, idempotent, reversible."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from services.funds.app import create_app
from services.funds.models import Account, Posting
from services.funds.settings import FundsSettings
from shared.audit import verify_chain
from shared.clock import clock
from shared.money import yuan
from shared.tables import audit_log, outbox
from tests.funds.integration.factories import (
    FINANCE,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    register_chishui,
    registered,
    registry_event,
)
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

RECEIPT = {
    "kind": "receipt",
    "from_account": "jiangmen-poverty-fund",
    "to_account": "kaiping-special-account",
}


async def balances(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        return {a.code: a.balance_fen for a in (await s.execute(select(Account))).scalars()}


async def postings_sum(app) -> int:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        return int((await s.execute(select(func.coalesce(func.sum(Posting.amount_fen), 0)))).scalar_one())


async def test_receipt_moves_money_and_balances(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        r = await client.post(
            "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(4_016_000)}, headers=FINANCE
        )
        assert r.status_code == 201, r.text
        assert sorted(p["amount_fen"] for p in r.json()["postings"]) == [-yuan(4_016_000), yuan(4_016_000)]
        b = await balances(app)
        assert b["kaiping-special-account"] == yuan(4_016_000)
        assert b["jiangmen-poverty-fund"] == -yuan(4_016_000)
        assert await postings_sum(app) == 0


async def test_overdraft_is_409_and_changes_nothing(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        await client.post("/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": 500}, headers=FINANCE)
        r = await client.post(
            "/funds/v1/ledger/transfers",
            json={
                "kind": "transfer",
                "from_account": "kaiping-special-account",
                "to_account": "kaiping-finance",
                "amount_fen": 501,
            },
            headers=FINANCE,
        )
        assert r.status_code == 409
        assert r.json()["type"].endswith("/insufficient-funds")
        assert (await balances(app))["kaiping-special-account"] == 500


async def test_same_idempotency_key_moves_money_once(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    headers = {**FINANCE, "Idempotency-Key": "receipt-2016-1"}
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        body = {**RECEIPT, "amount_fen": yuan(1_000)}
        first = await client.post("/funds/v1/ledger/transfers", json=body, headers=headers)
        again = await client.post("/funds/v1/ledger/transfers", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert again.headers.get("idempotent-replayed") == "true"
        assert (await balances(app))["kaiping-special-account"] == yuan(1_000)

        other = await client.post(
            "/funds/v1/ledger/transfers", json={**body, "amount_fen": 7}, headers=headers
        )
        assert other.status_code == 409
        assert other.json()["type"].endswith("/idempotency-key-reused")
        assert (await balances(app))["kaiping-special-account"] == yuan(1_000)


async def test_key_in_flight_answers_409(make_db) -> None:  # type: ignore[no-untyped-def]
    """Two identical requests at once: one moves the money, the other is told the first is in flight
    (or, if it arrives after the first committed, gets the replay). Money moves exactly once."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    headers = {**FINANCE, "Idempotency-Key": "twin"}
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        body = {**RECEIPT, "amount_fen": yuan(10)}
        results = await asyncio.gather(
            *[client.post("/funds/v1/ledger/transfers", json=body, headers=headers) for _ in range(8)]
        )
        codes = sorted(r.status_code for r in results)
        assert set(codes) <= {201, 409}
        assert 409 in codes
        assert all(
            r.json()["type"].endswith("/idempotency-key-in-flight") for r in results if r.status_code == 409
        )
        assert (await balances(app))["kaiping-special-account"] == yuan(10)


async def test_50_parallel_disbursements_never_overdraw(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        households = await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        # the special account holds enough for exactly 30 payments of 1,500 yuan
        await client.post(
            "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(45_000)}, headers=FINANCE
        )

        async def pay(household_id: str):  # type: ignore[no-untyped-def]
            return await client.post(
                "/funds/v1/disbursements",
                json={
                    "beneficiary_kind": "household",
                    "beneficiary_id": household_id,
                    "amount_fen": yuan(1_500),
                    "from_account": "kaiping-special-account",
                    "plan_id": plan["id"],
                    "component": "kaiping",
                    "year": 2016,
                },
                headers=FINANCE,
            )

        results = await asyncio.gather(*[pay(h) for h in households[:50]])

        codes = [r.status_code for r in results]
        assert (codes.count(201), codes.count(409)) == (30, 20), codes
        assert all(r.json()["type"].endswith("/insufficient-funds") for r in results if r.status_code == 409)
        b = await balances(app)
        assert b["kaiping-special-account"] == 0
        assert b["kaiping-special-account.paid"] == yuan(45_000)
        assert await postings_sum(app) == 0
        async with app.state.db.transaction() as s:
            paid = (
                await s.execute(select(func.count()).where(audit_log.c.action == "disbursement.recorded"))
            ).scalar()
            assert paid == 30  # every payment audited once, refused ones not at all
            assert await verify_chain(s) == (True, None)


async def test_disbursement_rules_over_http(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 1))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        await client.post(
            "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(100_000)}, headers=FINANCE
        )

        def body(ref: str, amount: int) -> dict:
            return {
                "beneficiary_kind": "household",
                "beneficiary_id": ref,
                "amount_fen": amount,
                "from_account": "kaiping-special-account",
                "plan_id": plan["id"],
            }

        url = "/funds/v1/disbursements"
        assert (
            await client.post(url, json=body("hh-a", yuan(20_000) + 1), headers=FINANCE)
        ).status_code == 409
        unknown = await client.post(url, json=body("hh-ghost", 100), headers=FINANCE)
        assert unknown.status_code == 409
        assert unknown.json()["type"].endswith("/beneficiary-not-payable")
        assert (await client.post(url, json=body("hh-a", 0), headers=FINANCE)).status_code == 422
        ok = await client.post(url, json=body("hh-a", yuan(20_000)), headers=FINANCE)
        assert ok.status_code == 201
        assert (await client.post(url, json=body("hh-a", 1), headers=FINANCE)).status_code == 409

        # another area's officer sees nothing of it
        other = auth("finance", "350500000000")
        assert (await client.get(f"{url}/{ok.json()['id']}", headers=other)).status_code == 404

        # a correction is an opposite entry: money returns, the entitlement is free again
        r = await client.post(
            f"{url}/{ok.json()['id']}/reverse", json={"reason": "wrong household"}, headers=FINANCE
        )
        assert r.status_code == 200
        assert r.json()["reversed_by"]
        assert (await balances(app))["kaiping-special-account"] == yuan(100_000)
        # the ledger names the payment and its correction in Chinese, as it names a receipt
        reversal = await client.get(
            f"/funds/v1/ledger/transactions/{r.json()['reversed_by']}", headers=FINANCE
        )
        paid = await client.get(
            f"/funds/v1/ledger/transactions/{ok.json()['transaction_id']}", headers=FINANCE
        )
        assert (paid.json()["kind_label"], reversal.json()["kind_label"]) == ("资金拨付", "冲正")
        assert paid.json()["memo"] == "拨付农户 hh-a"  # the ledger's 摘要, in the officer's words
        again = await client.post(
            f"{url}/{ok.json()['id']}/reverse", json={"reason": "twice"}, headers=FINANCE
        )
        assert again.status_code == 409
        left = await client.get("/funds/v1/entitlements/household/hh-a", headers=FINANCE)
        assert left.json()["left_fen"] == yuan(20_000)


async def test_budget_and_payout_accounts_are_guarded(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        r = await client.put(
            "/funds/v1/accounts/chishui-town-finance/budgets/2016",
            json={"amount_fen": yuan(112_950)},
            headers=FINANCE,
        )
        assert r.status_code == 200
        town = {
            "kind": "receipt",
            "from_account": "chishui-town-finance",
            "to_account": "kaiping-special-account",
        }
        ok = await client.post(
            "/funds/v1/ledger/transfers",
            json={**town, "amount_fen": yuan(112_950), "year": 2016},
            headers=FINANCE,
        )
        assert ok.status_code == 201
        over = await client.post(
            "/funds/v1/ledger/transfers", json={**town, "amount_fen": 1, "year": 2016}, headers=FINANCE
        )
        assert over.status_code == 409
        assert over.json()["type"].endswith("/budget-exceeded")

        fake = await client.post(
            "/funds/v1/ledger/transfers",
            json={
                "kind": "transfer",
                "from_account": "kaiping-special-account",
                "to_account": "kaiping-special-account.paid",
                "amount_fen": 100,
            },
            headers=FINANCE,
        )
        assert fake.status_code == 409
        assert fake.json()["type"].endswith("/transfer-not-allowed")
        assert (await balances(app))["kaiping-special-account"] == yuan(112_950)
        bad_cursor = await client.get(
            "/funds/v1/ledger/transactions", params={"cursor": "bm9wZQ"}, headers=FINANCE
        )
        assert bad_cursor.status_code == 404
        assert bad_cursor.json()["type"].endswith("/cursor-not-found")


async def test_another_citys_budget_cannot_pay_in(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    quanzhou = auth("finance", "350500000000")
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        await client.post(
            "/funds/v1/accounts",
            json={"code": "qz-pool", "name": "泉州专户", "area_code": "350500000000", "kind": "holding"},
            headers=quanzhou,
        )
        r = await client.post(
            "/funds/v1/ledger/transfers",
            json={
                "kind": "receipt",
                "from_account": "jiangmen-poverty-fund",
                "to_account": "qz-pool",
                "amount_fen": 1,
            },
            headers=quanzhou,
        )
        assert r.status_code == 404
        assert (await balances(app))["jiangmen-poverty-fund"] == 0


async def test_a_payment_sees_registry_news_before_the_refresh_job(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 4))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        await client.post(
            "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(80_000)}, headers=FINANCE
        )
        # a member leaves: the household is now entitled to 60,000, not 80,000
        await deliver(
            app.state.db,
            registry_event(
                "registry.household.updated.v1",
                "hh-a",
                {
                    "household_id": "hh-a",
                    "area_code": "440783105201",
                    "status": "registered",
                    "member_count": 3,
                    "member_ids": [],
                    "change": "member_removed",
                },
            ),
        )
        body = {
            "beneficiary_kind": "household",
            "beneficiary_id": "hh-a",
            "from_account": "kaiping-special-account",
            "plan_id": plan["id"],
        }
        too_much = await client.post(
            "/funds/v1/disbursements", json={**body, "amount_fen": yuan(60_000) + 1}, headers=FINANCE
        )
        assert too_much.status_code == 409
        assert too_much.json()["entitlement_fen"] == yuan(60_000)
        ok = await client.post(
            "/funds/v1/disbursements", json={**body, "amount_fen": yuan(60_000)}, headers=FINANCE
        )
        assert ok.status_code == 201


async def test_a_payment_sent_twice_with_one_key_pays_once(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 1))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        await client.post(
            "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(20_000)}, headers=FINANCE
        )
        body = {
            "beneficiary_kind": "household",
            "beneficiary_id": "hh-a",
            "amount_fen": yuan(1_500),
            "from_account": "kaiping-special-account",
            "plan_id": plan["id"],
        }
        headers = {**FINANCE, "Idempotency-Key": "pay-hh-a-2016"}
        first = await client.post("/funds/v1/disbursements", json=body, headers=headers)
        retry = await client.post("/funds/v1/disbursements", json=body, headers=headers)
        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.json()["id"] == first.json()["id"]
        listed = await client.get(
            "/funds/v1/disbursements", params={"beneficiary_id": "hh-a"}, headers=FINANCE
        )
        assert len(listed.json()["items"]) == 1
        assert (await balances(app))["kaiping-special-account"] == yuan(18_500)
        async with app.state.db.transaction() as s:
            events = await s.execute(
                select(outbox.c.envelope).where(outbox.c.type == "funds.disbursement.recorded.v1")
            )
            [event] = [e["data"] for e in events.scalars()]
        # no plan year named: the event carries the year it was paid, never null (inspection counts by year)
        assert event["year"] == clock.today().year
