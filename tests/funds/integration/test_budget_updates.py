"""Yearly budgets are changed only with the ETag read (If-Match), like registry's household PATCH."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.funds.app import create_app
from services.funds.budgets import service as declarations
from services.funds.budgets.schemas import DeclarationIn
from services.funds.demo import load_demo
from services.funds.settings import FundsSettings
from services.funds.sources import service as sources
from shared.auth import Principal
from shared.money import yuan
from shared.tables import audit_log
from tests.funds.integration.factories import (
    CHISHUI_SIZES,
    FINANCE,
    KAIPING,
    deliver,
    open_kaiping_accounts,
    registered,
)
from tests.support import auth, service_client, settings_for
from tests.support.conditional import (
    assert_conditional_put,
    assert_created_meanwhile,
    assert_documents_conditions,
    assert_no_lost_update,
)

pytestmark = pytest.mark.asyncio
BUDGETS = "/funds/v1/accounts/chishui-town-finance/budgets"


async def test_a_budget_changes_only_with_the_etag_read(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        await assert_conditional_put(
            client,
            put_url=f"{BUDGETS}/2016",
            get_url=f"{BUDGETS}/2016",
            headers=FINANCE,
            first={"amount_fen": yuan(112_950)},
            second={"amount_fen": yuan(100_000)},
            shown=lambda body: body["amount_fen"],
        )
        listed = (await client.get(BUDGETS, headers=FINANCE)).json()
        assert [(b["year"], b["amount_fen"], b["version"]) for b in listed] == [(2016, yuan(100_000), 2)]
        # the receipt check reads the budget as changed (100,000 yuan, not the 112,950 first set)
        town = {
            "kind": "receipt",
            "from_account": "chishui-town-finance",
            "to_account": "kaiping-special-account",
        }
        over = await client.post(
            "/funds/v1/ledger/transfers",
            json={**town, "amount_fen": yuan(100_001), "year": 2016},
            headers=FINANCE,
        )
        assert over.status_code == 409
        async with app.state.db.transaction() as s:
            actions = (await s.execute(select(audit_log.c.action, audit_log.c.after))).all()
        assert [a.after["amount_fen"] for a in actions if a.action == "budget.set"] == [
            yuan(112_950),
            yuan(100_000),
        ]


async def test_two_writers_at_once_never_lose_a_change(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        await assert_no_lost_update(
            client,
            put_url=f"{BUDGETS}/2017",
            headers=FINANCE,
            first={"amount_fen": 1},
            second={"amount_fen": 2},
        )


async def test_a_budget_or_declaration_created_meanwhile_tells_the_clerk_to_read_it_first(make_db) -> None:  # type: ignore[no-untyped-def]
    db = make_db("funds")
    other = Principal(sub="other-finance-officer", roles=frozenset({"finance"}), area_code=KAIPING)
    async with service_client(create_app(settings_for(FundsSettings, db))) as client:
        await open_kaiping_accounts(client)
        budget = await assert_created_meanwhile(
            client,
            db,
            put=lambda: client.put(f"{BUDGETS}/2018", json={"amount_fen": 1}, headers=FINANCE),
            create=lambda s: sources.set_budget(
                s, actor=other, code="chishui-town-finance", year=2018, amount_fen=2, if_match=None
            ),
        )
        assert (budget["title"], budget["detail"], budget["year"]) == (
            "缺少 If-Match 请求头",
            "刚有人设立了该来源本年度的预算，请重新读取并在 If-Match 中带上其 ETag",
            2018,
        )
        declared = {"local_revenue_increase_fen": 1, "recovered_idle_funds_fen": 0}
        declaration = await assert_created_meanwhile(
            client,
            db,
            put=lambda: client.put(
                f"/funds/v1/budget-declarations/{KAIPING}/2018", json=declared, headers=FINANCE
            ),
            create=lambda s: declarations.declare(
                s, actor=other, area_code=KAIPING, year=2018, data=DeclarationIn(**declared), if_match=None
            ),
        )
        assert (declaration["title"], declaration["detail"]) == (
            "缺少 If-Match 请求头",
            "刚有人提交了该地区本年度的预算申报，请重新读取并在 If-Match 中带上其 ETag",
        )


async def test_budget_reads_are_scoped_and_bounded(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        assert (
            await client.put(f"{BUDGETS}/2016", json={"amount_fen": 1}, headers=FINANCE)
        ).status_code == 200
        elsewhere = auth("finance", "350500000000")
        assert (await client.get(f"{BUDGETS}/2016", headers=elsewhere)).status_code == 404
        assert (await client.get(f"{BUDGETS}/2015", headers=FINANCE)).status_code == 404
        assert (await client.get(f"{BUDGETS}/2147483648", headers=FINANCE)).status_code == 422
        huge = await client.put(f"{BUDGETS}/2147483648", json={"amount_fen": 1}, headers=FINANCE)
        assert huge.status_code == 422
        assert await assert_documents_conditions(client, "/funds/v1/openapi.json") == [
            "PUT /funds/v1/accounts/{code}/budgets/{year}",
            "PUT /funds/v1/budget-declarations/{area_code}/{year}",
        ]


async def test_the_readme_walk_through_changes_a_demo_budget(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        for i, size in enumerate(CHISHUI_SIZES):
            await deliver(app.state.db, registered(f"hh-{i:03d}", size, area=f"44078310520{1 + i % 7}"))
        await load_demo(app.state.db)
        fin = auth("finance", "440783000000")
        url = f"{BUDGETS}/2016"
        read = await client.get(url, headers=fin)
        assert (read.headers["ETag"], read.json()["amount_fen"]) == ('"1"', 11_295_000)
        body = {"amount_fen": 11_295_000}
        assert (await client.put(url, json=body, headers=fin)).status_code == 428
        changed = await client.put(url, json=body, headers=fin | {"If-Match": '"1"'})
        assert (changed.status_code, changed.headers["ETag"]) == (200, '"2"')
        assert (await client.put(url, json=body, headers=fin | {"If-Match": '"1"'})).status_code == 412
