"""What a finance clerk reads when a payment is refused, in Chinese and (Accept-Language: en) English."""

from __future__ import annotations

from typing import Any

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
    register_chishui,
    registered,
)
from tests.support import service_client, settings_for

pytestmark = pytest.mark.asyncio

EN = {**FINANCE, "Accept-Language": "en"}


def household_payment(plan: dict[str, Any], amount_fen: int, *, from_account: str) -> dict[str, Any]:
    """A payment to the plan's first household (hh-000) of ``amount_fen`` from ``from_account``."""
    return {
        "beneficiary_kind": "household",
        "beneficiary_id": "hh-000",
        "amount_fen": amount_fen,
        "from_account": from_account,
        "plan_id": plan["id"],
    }


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


async def test_refusals_name_amounts_in_yuan_and_keep_the_fen_fields(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        budget = "/funds/v1/accounts/chishui-town-finance/budgets/2016"
        assert (
            await client.put(budget, json={"amount_fen": yuan(200_000)}, headers=FINANCE)
        ).status_code == 200
        town = {
            "kind": "receipt",
            "from_account": "chishui-town-finance",
            "to_account": "kaiping-special-account",
        }
        over = {**town, "amount_fen": yuan(300_000) + 5, "year": 2016}
        r = await client.post("/funds/v1/ledger/transfers", json=over, headers=FINANCE)
        assert r.status_code == 409
        assert r.json()["detail"] == "拨入后合计300,000.05元，将超过本年度预算200,000.00元"
        assert (r.json()["budget_fen"], r.json()["received_fen"]) == (yuan(200_000), 0)
        en = (await client.post("/funds/v1/ledger/transfers", json=over, headers=EN)).json()
        assert en["detail"] == "300,000.05 yuan would exceed the year's budget of 200,000.00 yuan"

        await client.post("/funds/v1/ledger/transfers", json={**town, "amount_fen": 500}, headers=FINANCE)
        move = {
            "kind": "transfer",
            "from_account": "kaiping-special-account",
            "to_account": "kaiping-finance",
            "amount_fen": yuan(1_234),
        }
        r = await client.post("/funds/v1/ledger/transfers", json=move, headers=FINANCE)
        assert r.status_code == 409
        # the account by the name the clerk knows it by; its code stays in the field for machines
        assert r.json()["detail"] == "账户“开平市财政扶贫专户”余额5.00元，不足以支出1,234.00元"
        assert (r.json()["balance_fen"], r.json()["requested_fen"]) == (500, yuan(1_234))
        assert r.json()["account"] == "kaiping-special-account"


async def test_refusals_name_an_account_by_its_name_and_kind_in_words(make_db) -> None:  # type: ignore[no-untyped-def]
    """Paying from, or funding a project from, a budget source is refused naming the account as the
    clerk knows it (开平市财政(含市直部门), 资金来源类账户), not kaiping-finance or "source"."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        pay = household_payment(plan, yuan(100), from_account="kaiping-finance")
        r = await client.post("/funds/v1/disbursements", json=pay, headers=FINANCE)
        assert r.status_code == 409, r.text
        assert r.json()["detail"] == "账户“开平市财政(含市直部门)”不能向该受益对象拨付"
        project = {
            "name": "步栏村饮水安全工程",
            "area_code": "440783105201",
            "category": "infrastructure",
            "budget_fen": yuan(1_000),
            "funding_account": "kaiping-finance",
        }
        r = await client.post("/funds/v1/projects", json=project, headers=FINANCE)
        assert r.status_code == 409, r.text
        assert r.json()["detail"].startswith("账户“开平市财政(含市直部门)”是资金来源类账户，")
        assert (r.json()["account"], "kaiping-finance" in r.json()["detail"]) == ("kaiping-finance", False)
        en = (await client.post("/funds/v1/projects", json=project, headers=EN)).json()
        assert en["detail"] == "kaiping-finance is a source account"


async def test_an_amount_above_the_entitlement_left_is_told_in_yuan(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        pay = household_payment(plan, yuan(80_000) + 1, from_account="kaiping-special-account")
        r = await client.post("/funds/v1/disbursements", json=pay, headers=FINANCE)
        assert r.status_code == 409
        assert r.json()["detail"] == "80,000.01元超过剩余应享额度80,000.00元（应享80,000.00元，已拨付0.00元）"
        assert (r.json()["entitlement_fen"], r.json()["left_fen"]) == (yuan(80_000), yuan(80_000))
        en = (await client.post("/funds/v1/disbursements", json=pay, headers=EN)).json()
        assert en["detail"] == "80,000.01 yuan is above the 80,000.00 yuan left of the entitlement"


async def test_writing_for_an_area_outside_ones_own_names_the_area_not_a_missing_record(make_db) -> None:  # type: ignore[no-untyped-def]
    """A Kaiping finance officer who opens an account, a scheme or a project for Jiangmen is told the
    area is outside their own (was: 未找到该账户。检查账户编号 for an account that was being created)."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    jiangmen = "440700000000"
    writes = {
        "/funds/v1/accounts": {
            "code": "jiangmen-walk",
            "name": "江门市扶贫资金",
            "area_code": jiangmen,
            "kind": "source",
        },
        "/funds/v1/projects": {
            "name": "江门项目",
            "area_code": "440703001001",
            "category": "industry",
            "budget_fen": 100,
            "funding_account": "kaiping-integrated-pool",
        },
        "/funds/v1/disclosures": {
            "area_code": "440703001001",
            "title": "公示",
            "published_on": "2016-06-01",
            "notice_days": 7,
        },
    }
    async with service_client(app) as client:
        for path, body in writes.items():
            r = await client.post(path, json=body, headers=FINANCE)
            assert r.status_code == 404, r.text
            problem = r.json()
            assert problem["type"].endswith("/area-not-found"), (path, problem)
            assert f"地区 {body['area_code']} 不在您的辖区内" in problem["detail"]
            assert "编号" not in problem["detail"]
            assert problem["area_code"] == body["area_code"]

            en = (await client.post(path, json=body, headers=EN)).json()
            assert f"Area {body['area_code']} is outside your area" in en["detail"]


async def test_a_scheme_field_is_named_without_the_kind_of_scheme_in_its_path(make_db) -> None:  # type: ignore[no-untyped-def]
    """A per-capita scheme with no payee reads 方案参数的收款账户必须填写, not 方案参数的per_capita的…:
    the union's tag stays in ``field`` (the path a machine reads), never in the clerk's words."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    params = {"kind": "per_capita", "years": [2016], "amount_per_person_fen": 100, "shares": []}
    scheme = {"code": "walk-scheme", "name": "人均补助", "area_code": "440783000000", "params": params}
    async with service_client(app) as client:
        r = await client.post("/funds/v1/schemes", json=scheme, headers=FINANCE)
        assert r.status_code == 422, r.text
        errors = {e["field"]: e for e in r.json()["errors"]}
        assert set(errors) == {"body.params.per_capita.payee", "body.params.per_capita.shares"}
        assert all("per_capita" not in e["label"] + e["message"] for e in errors.values()), errors
        assert "per_capita" not in r.json()["detail"]
        assert errors["body.params.per_capita.payee"]["label"].startswith("方案参数的")


async def test_a_payment_for_a_year_outside_the_plans_years_is_refused_and_changes_nothing(make_db) -> None:  # type: ignore[no-untyped-def]
    """A payment's year is the plan year it pays (the funds report and inspection count it there):
    year 2026 against Kaiping's 2016-2018 plan was paid, and showed as money paid in 2026 where
    nothing was planned. A late payment names its plan year; its date is its own."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        await receive_from_kaiping_finance(client, yuan(10_000), FINANCE)
        pay = {**household_payment(plan, yuan(1_500), from_account="kaiping-special-account"), "year": 2026}
        url, paid = "/funds/v1/disbursements", {"beneficiary_id": "hh-000"}
        r = await client.post(url, json=pay, headers=FINANCE)
        assert r.status_code == 409, r.text
        problem = r.json()
        assert problem["type"].endswith("/year-outside-plan")
        assert problem["title"] == "年度不在本资金计划的年度内"
        assert (
            problem["detail"]
            == "2026年不在本资金计划的年度（2016、2017、2018年）内：年度应填这笔拨付所属的计划年度"
        )
        assert (problem["year"], problem["plan_years"], problem["plan_id"]) == (
            2026,
            [2016, 2017, 2018],
            plan["id"],
        )
        en = (await client.post(url, json=pay, headers=EN)).json()
        assert en["title"] == "The year is not one of the plan's years"
        assert en["detail"].startswith("2026 is not one of the plan's years (2016, 2017, 2018)")
        # nothing paid, nothing taken from the entitlement
        assert (await client.get(url, params=paid, headers=FINANCE)).json()["items"] == []
        ok = await client.post(url, json={**pay, "year": 2018}, headers=FINANCE)
        assert ok.status_code == 201, ok.text
        assert [d["year"] for d in (await client.get(url, params=paid, headers=FINANCE)).json()["items"]] == [
            2018
        ]


async def test_a_project_or_account_without_a_name_asks_for_its_name_not_a_persons(make_db) -> None:  # type: ignore[no-untyped-def]
    """Funds names projects, accounts and agreements: a missing one reads 名称必须填写, not 姓名."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        account = {"code": "walk-pool", "area_code": "440783000000", "kind": "holding"}
        for url, body in (("/funds/v1/accounts", account), ("/funds/v1/projects", {})):
            r = await client.post(url, json=body, headers=FINANCE)
            assert r.status_code == 422, r.text
            names = [e for e in r.json()["errors"] if e["field"] == "body.name"]
            assert [(e["label"], e["message"]) for e in names] == [("名称", "名称必须填写")]
            assert "姓名" not in r.json()["detail"]
        listed = await client.get("/funds/v1/accounts", headers=FINANCE)
        assert listed.json()["items"] == []  # nothing was opened


async def test_a_scheme_year_outside_2000_to_2100_is_refused_and_nothing_is_stored(make_db) -> None:  # type: ignore[no-untyped-def]
    """Year 1 or 3,000,000,000 is a typing slip, refused like every other year of the service."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    share = {"code": "k", "payer": "kaiping-finance", "weight": 1}
    per_capita = {"kind": "per_capita", "amount_per_person_fen": 100, "payee": "p", "shares": [share]}
    grant = {"kind": "village_grant", "payer": "a", "payee": "b", "amount_by_category_fen": {"city": 1}}
    fixed = {"code": "f", "name": "专项", "payer": "a", "payee": "b"}
    async with service_client(app) as client:
        for params, field in (
            ({**per_capita, "years": [2016, 1]}, "body.params.per_capita.years.1"),
            ({**grant, "year": 3_000_000_000}, "body.params.village_grant.year"),
            ({"kind": "fixed_funds", "funds": [{**fixed, "amount_by_year_fen": {"20166": 1}}]}, None),
        ):
            scheme = {"code": "walk-year", "name": "年度有误", "area_code": "440783000000", "params": params}
            r = await client.post("/funds/v1/schemes", json=scheme, headers=FINANCE)
            assert r.status_code == 422, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            if field is not None:
                assert [e["field"] for e in r.json()["errors"]] == [field]
        assert (await client.get("/funds/v1/schemes", headers=FINANCE)).json()["items"] == []
