"""Asset-income agreements on real PostgreSQL: the 8% floor, yearly distribution through the ledger,
the split to the fen, idempotency, refusals (problem+json), the due-vs-paid report, roles and scope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.funds.app import create_app
from services.funds.models import Account, Disbursement, Posting
from services.funds.settings import FundsSettings
from shared.clock import clock
from shared.money import yuan
from tests.funds.integration.factories import deliver, outbox_types, registered, registry_event
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio

COUNTY = "621221000000"
VILLAGE = "621221100201"
FINANCE = auth("finance", COUNTY, sub="county-finance")
AGREEMENTS = "/funds/v1/asset-income/agreements"


def agreement(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "成县核桃合作社资产收益扶贫",
        "area_code": COUNTY,
        "government": "成县人民政府",
        "bank": "成县农村信用合作联社",
        "enterprise": "成县核桃专业合作社",
        "enterprise_kind": "cooperative",
        "households": [{"household_id": h} for h in ("gs-1", "gs-2", "gs-3")],
        "principal_fen": yuan(500_000),
        "start_year": 2017,
        "term_years": 3,
        "guaranteed_return_fen": yuan(10_000),
        "dividend_rate_bp": 800,
        "payer_account": "hetao-coop",
        "holding_account": "chengxian-asset-income",
        "signed_on": "2017-03-01",
    }
    return {**body, **overrides}


async def _setup(app: Any, client: httpx.AsyncClient) -> None:
    clock.freeze(date(2017, 12, 20))
    for ref in ("gs-1", "gs-2", "gs-3"):
        await deliver(app.state.db, registered(ref, 3, area=VILLAGE, batches=("industry",)))
    for code, name, kind in (
        ("hetao-coop", "成县核桃专业合作社", "source"),
        ("chengxian-asset-income", "成县资产收益专户", "holding"),
    ):
        r = await client.post(
            "/funds/v1/accounts",
            json={"code": code, "name": name, "area_code": COUNTY, "kind": kind},
            headers=FINANCE,
        )
        assert r.status_code == 201, r.text


async def _balances(app: Any) -> dict[str, int]:
    async with app.state.db.transaction() as s:
        return {a.code: a.balance_fen for a in (await s.execute(select(Account))).scalars()}


async def _postings_sum(app: Any) -> int:
    async with app.state.db.transaction() as s:
        return int((await s.execute(select(func.coalesce(func.sum(Posting.amount_fen), 0)))).scalar_one())


def _problem(r: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = dict(r.json())
    assert body["type"].endswith(f"/{slug}")
    return body


async def test_dividend_floor_is_8_percent_exactly(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _setup(app, client)
        low = await client.post(AGREEMENTS, json=agreement(dividend_rate_bp=799), headers=FINANCE)
        body = _problem(low, 422, "dividend-below-floor")
        assert (body["minimum_dividend_bp"], body["dividend_rate_bp"]) == (800, 799)
        assert "7.99%" in body["detail"]
        assert "8%" in body["detail"]
        assert body["detail"].endswith("（分红比例原则上不低于贷款金额的8%）")  # the policy's words only
        r = await client.post(AGREEMENTS, json=agreement(), headers=FINANCE)
        assert r.status_code == 201, r.text
        out = r.json()
        # 500,000 yuan x 8% = 40,000 dividend + 10,000 guaranteed = 50,000 yuan a year
        assert out["due_per_year_fen"] == yuan(50_000)
        assert (out["policy_code"], out["policy_version"], out["minimum_dividend_bp"]) == (
            "gansu-asset-income",
            1,
            800,
        )
        assert [h["shares"] for h in out["households"]] == [1, 1, 1]
        # the dividend rounds up to the fen: 1,234,567 fen x 8% = 98,765.36 -> 98,766
        odd = await client.post(
            AGREEMENTS, json=agreement(principal_fen=1_234_567, guaranteed_return_fen=0), headers=FINANCE
        )
        assert odd.json()["due_per_year_fen"] == 98_766
        assert (await outbox_types(app.state.db)).count("funds.asset_income.agreement_signed.v1") == 2


async def test_yearly_distribution_through_the_ledger_split_to_the_fen(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _setup(app, client)
        agreement_id = (await client.post(AGREEMENTS, json=agreement(), headers=FINANCE)).json()["id"]
        url = f"{AGREEMENTS}/{agreement_id}/distributions"
        key = {**FINANCE, "Idempotency-Key": "dividend-2017"}
        first = await client.post(url, json={"year": 2017}, headers=key)
        assert first.status_code == 201, first.text
        out = first.json()
        # 5,000,000 fen over three equal shares: 1,666,667 + 1,666,667 + 1,666,666
        assert [(line["household_id"], line["amount_fen"]) for line in out["lines"]] == [
            ("gs-1", 1_666_667),
            ("gs-2", 1_666_667),
            ("gs-3", 1_666_666),
        ]
        assert (out["due_fen"], out["amount_fen"]) == (yuan(50_000), yuan(50_000))
        receipt = await client.get(
            f"/funds/v1/ledger/transactions/{out['receipt_transaction_id']}", headers=FINANCE
        )
        assert receipt.json()["memo"] == "2017年资产收益分红：成县核桃专业合作社"
        replay = await client.post(url, json={"year": 2017}, headers=key)
        assert replay.status_code == 201
        assert replay.json()["id"] == out["id"]
        assert replay.headers.get("idempotent-replayed") == "true"
        assert (await client.post(url, json={"year": 2018}, headers=key)).status_code == 409  # key reused

        balances = await _balances(app)
        assert balances["hetao-coop"] == -yuan(50_000)
        assert balances["chengxian-asset-income"] == 0
        assert balances["chengxian-asset-income.paid"] == yuan(50_000)
        assert await _postings_sum(app) == 0
        async with app.state.db.transaction() as s:
            rows = (
                (await s.execute(select(Disbursement).order_by(Disbursement.beneficiary_id))).scalars().all()
            )
        assert [(d.beneficiary_id, d.amount_fen, d.year, d.area_code) for d in rows] == [
            ("gs-1", 1_666_667, 2017, VILLAGE),
            ("gs-2", 1_666_667, 2017, VILLAGE),
            ("gs-3", 1_666_666, 2017, VILLAGE),
        ]
        types = await outbox_types(app.state.db)
        assert types.count("funds.asset_income.dividend_distributed.v1") == 1
        assert types.count("funds.disbursement.recorded.v1") == 3

        again = await client.post(url, json={"year": 2017}, headers=FINANCE)
        _problem(again, 409, "dividend-already-distributed")
        _problem(await client.post(url, json={"year": 2020}, headers=FINANCE), 409, "year-outside-term")

        # the enterprise pays one fen short in 2018: it is split and shows as outstanding
        short = await client.post(url, json={"year": 2018, "amount_fen": yuan(50_000) - 1}, headers=FINANCE)
        assert short.status_code == 201, short.text
        assert [line["amount_fen"] for line in short.json()["lines"]] == [1_666_667, 1_666_666, 1_666_666]

        # a household removed from the roll: 2019 is refused as a payment to it would be; nothing moves
        removed = registry_event(
            "registry.household.removed.v1",
            "gs-2",
            {"household_id": "gs-2", "area_code": VILLAGE, "reason": "duplicate"},
        )
        await deliver(app.state.db, removed)
        before = await _balances(app)
        refused = _problem(
            await client.post(url, json={"year": 2019}, headers=FINANCE), 409, "beneficiary-not-payable"
        )
        assert refused["not_payable"] == [{"household_id": "gs-2", "status": "removed"}]
        assert await _balances(app) == before

        report = await client.get(f"{AGREEMENTS}/{agreement_id}/dividends", headers=auth("auditor", COUNTY))
        assert report.status_code == 200
        assert [
            (r["year"], r["due_fen"], r["paid_fen"], r["disbursed_fen"], r["outstanding_fen"])
            for r in report.json()
        ] == [
            (2017, 5_000_000, 5_000_000, 5_000_000, 0),
            (2018, 5_000_000, 4_999_999, 4_999_999, 1),
            (2019, 5_000_000, 0, 0, 5_000_000),
        ]
        listed = await client.get(url, headers=FINANCE)
        assert [d["year"] for d in listed.json()] == [2017, 2018]

        # dividends are held to the agreement's split, not to a plan: no over-entitlement anomaly
        run = await client.post("/funds/v1/supervision/runs", headers=FINANCE)
        assert run.status_code == 200
        assert {a["kind"] for a in run.json()["new_anomalies"]} <= {"removed_beneficiary"}


async def test_weighted_shares_and_refusals_at_signing(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _setup(app, client)
        weighted = agreement(
            households=[{"household_id": "gs-1", "shares": 2}, {"household_id": "gs-2", "shares": 1}],
            principal_fen=100,
            guaranteed_return_fen=0,
        )
        r = await client.post(AGREEMENTS, json=weighted, headers=FINANCE)
        assert r.status_code == 201, r.text
        assert r.json()["due_per_year_fen"] == 8
        d = await client.post(
            f"{AGREEMENTS}/{r.json()['id']}/distributions", json={"year": 2017}, headers=FINANCE
        )
        # 8 fen over shares 2 : 1 -> 5.33 + 2.67 -> 5 + 3 (the larger remainder gets the fen)
        assert [line["amount_fen"] for line in d.json()["lines"]] == [5, 3]

        unknown = agreement(households=[{"household_id": "nobody"}])
        _problem(await client.post(AGREEMENTS, json=unknown, headers=FINANCE), 409, "beneficiary-not-payable")
        twice = agreement(households=[{"household_id": "gs-1"}, {"household_id": "gs-1"}])
        assert (await client.post(AGREEMENTS, json=twice, headers=FINANCE)).status_code == 422
        wrong = agreement(payer_account="chengxian-asset-income")
        r = await client.post(AGREEMENTS, json=wrong, headers=FINANCE)
        refused = _problem(r, 409, "wrong-account-kind")
        assert refused["detail"] == (
            "账户“成县资产收益专户”是专户（资金池）类账户，账户“成县资产收益专户”是专户（资金池）类账户；"
            "须从资金来源账户付入托管账户"
        )


async def test_roles_and_area_scope(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _setup(app, client)
        assert (
            await client.post(AGREEMENTS, json=agreement(), headers=auth("cadre", COUNTY))
        ).status_code == 403
        r = await client.post(AGREEMENTS, json=agreement(), headers=FINANCE)
        agreement_id = r.json()["id"]
        other = auth("finance", "621222000000")
        _problem(
            await client.get(f"{AGREEMENTS}/{agreement_id}", headers=other),
            404,
            "asset-income-agreement-not-found",
        )
        _problem(
            await client.post(
                f"{AGREEMENTS}/{agreement_id}/distributions", json={"year": 2017}, headers=other
            ),
            404,
            "asset-income-agreement-not-found",
        )
        cadre = await client.post(
            f"{AGREEMENTS}/{agreement_id}/distributions", json={"year": 2017}, headers=auth("cadre", COUNTY)
        )
        assert cadre.status_code == 403
        assert (await client.get(AGREEMENTS, headers=other)).json()["items"] == []
        assert [
            a["id"]
            for a in (await client.get(AGREEMENTS, headers=auth("auditor", VILLAGE[:9] + "000"))).json()[
                "items"
            ]
        ] == []
        assert [
            a["id"] for a in (await client.get(AGREEMENTS, headers=auth("auditor", COUNTY))).json()["items"]
        ] == [agreement_id]


async def test_signing_date_after_china_today_is_refused(make_db) -> None:  # type: ignore[no-untyped-def]
    """At 03:00 on 2017-12-21 in China (still the 20th in UTC) an agreement signed "today" is taken;
    one dated the 22nd has not been signed yet: 422 date-in-future, nothing stored."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await _setup(app, client)
        clock.freeze(datetime(2017, 12, 20, 19, 0, tzinfo=UTC))
        future = await client.post(AGREEMENTS, json=agreement(signed_on="2017-12-22"), headers=FINANCE)
        body = _problem(future, 422, "date-in-future")
        assert (body["field"], body["today"]) == ("signed_on", "2017-12-21")
        assert "协议签订日期 2017-12-22 晚于今天（北京时间 2017-12-21）" in body["detail"]
        assert (await client.get(AGREEMENTS, headers=FINANCE)).json()["items"] == []
        today = await client.post(AGREEMENTS, json=agreement(signed_on="2017-12-21"), headers=FINANCE)
        assert today.status_code == 201, today.text
        assert today.json()["signed_on"] == "2017-12-21"
