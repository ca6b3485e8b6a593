"""Issue 10 items 3, 7, 8 on real PostgreSQL: each town billed its own share, pairing villages
without a level refuse the grant plan, and the keep period carried in the exit event decides both
the plan and the payment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.funds.app import create_app
from services.funds.policies.presets import QUANZHOU_VILLAGE_GRANTS
from services.funds.schemes.schemas import from_rule
from services.funds.schemes.service import refresh_job
from services.funds.settings import FundsSettings
from shared.clock import clock
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    KAIPING,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    receive_from_kaiping_finance,
    register_chishui,
    registered,
    registry_event,
)
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
OTHER_TOWN = "440783106000"  # a second Kaiping town (synthetic code)
QUANZHOU = auth("finance", "350500000000")


def totals(plan: dict) -> dict[str, int]:  # type: ignore[type-arg]
    out: dict[str, int] = {}
    for t in plan["totals"]:
        out[t["payer"]] = out.get(t["payer"], 0) + t["amount_fen"]
    return out


async def test_a_kaiping_wide_plan_bills_each_town_its_own_share(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        # the whole county-level city, Chishui's 251 people only: the seed's figures to the fen
        plan = await kaiping_plan(client, area=KAIPING)
        t = totals(plan)
        assert plan["total_fen"] == yuan(5_020_000)
        assert t["jiangmen-poverty-fund"] == yuan(4_016_000)
        assert t["kaiping-finance"] + t["chishui-town-finance"] == yuan(1_004_000)
        assert t["chishui-town-finance"] == yuan(301_200)

        # two key households (4 + 4 people) in another town, which has no account yet
        for hid in ("other-1", "other-2"):
            await deliver(app.state.db, registered(hid, 4, area="440783106201"))
        url = f"/funds/v1/plans/{plan['id']}"
        r = await client.post(url + "/recomputation", headers=FINANCE)
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/town-account-missing")
        assert r.json()["towns"] == [OTHER_TOWN]
        # the background job does not bill Chishui instead: the plan keeps its lines and says why
        await refresh_job(app.state.db, datetime.now(UTC))
        kept = (await client.get(url, headers=FINANCE)).json()
        assert kept["total_fen"] == yuan(5_020_000)
        assert kept["blocked"]["towns"] == [OTHER_TOWN]
        pay = {
            "beneficiary_kind": "household",
            "beneficiary_id": "hh-000",
            "amount_fen": yuan(100),
            "from_account": "kaiping-special-account",
            "plan_id": plan["id"],
        }
        refused = await client.post("/funds/v1/disbursements", json=pay, headers=FINANCE)
        assert refused.status_code == 409  # not paid by lines that bill the wrong town
        assert refused.json()["type"].endswith("/town-account-missing")
        assert refused.json()["towns"] == [OTHER_TOWN]

        r = await client.post(
            "/funds/v1/accounts",
            json={
                "code": "town-106-finance",
                "name": "镇财政(合成)",
                "area_code": OTHER_TOWN,
                "kind": "source",
            },
            headers=FINANCE,
        )
        assert r.status_code == 201, r.text
        r = await client.post(url + "/recomputation", headers=FINANCE)
        assert r.status_code == 200, r.text
        t = totals(r.json())
        assert r.json()["blocked"] is None
        assert r.json()["total_fen"] == yuan(5_180_000)  # 259 people × 20,000
        assert t["chishui-town-finance"] == yuan(301_200)  # unchanged: 251 × 1,200
        assert t["town-106-finance"] == yuan(9_600)  # 8 × 1,200, its own account
        assert t["jiangmen-poverty-fund"] == yuan(4_144_000)
        lines, cursor = [], None
        while True:
            params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
            page = (await client.get(url + "/lines", params=params, headers=FINANCE)).json()
            lines += page["items"]
            if not (cursor := page.get("next_cursor")):
                break
        other = {ln["beneficiary_id"] for ln in lines if ln["payer"] == "town-106-finance"}
        assert other == {"other-1", "other-2"}


def _village(code: str, *, pairing: bool | None, level: str | None):  # type: ignore[no-untyped-def]
    data = {
        "code": code,
        "name": f"村{code[-3:]}",
        "level": "village",
        "parent_code": code[:9] + "000",
        "pairing_dispatch_level": level,
    }
    if pairing is not None:
        data["pairing_village"] = pairing
    return registry_event("registry.area.upserted.v1", code, data)


async def _grant_scheme(client) -> str:  # type: ignore[no-untyped-def]
    s = QUANZHOU_VILLAGE_GRANTS
    r = await client.post(
        "/funds/v1/schemes",
        json={"code": s.code, "name": s.name, "area_code": "350500000000", "params": from_rule(s)},
        headers=QUANZHOU,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_a_pairing_village_without_its_level_is_never_a_silent_zero(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await deliver(app.state.db, _village("350524101201", pairing=True, level="city"))
        await deliver(app.state.db, _village("350524101202", pairing=True, level=None))  # level unknown
        await deliver(app.state.db, _village("350524101203", pairing=False, level=None))  # no pairing
        scheme_id = await _grant_scheme(client)
        body = {"scheme_id": scheme_id, "area_code": "350500000000"}
        r = await client.post("/funds/v1/plans", json=body, headers=QUANZHOU)
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/pairing-village-level-unknown")
        assert r.json()["villages"] == [{"code": "350524101202", "name": "村202"}]
        assert (await client.get("/funds/v1/plans", headers=QUANZHOU)).json()["items"] == []

        await deliver(app.state.db, _village("350524101202", pairing=True, level="county"))
        r = await client.post("/funds/v1/plans", json=body, headers=QUANZHOU)
        assert r.status_code == 201, r.text
        assert r.json()["total_fen"] == yuan(500_000) + yuan(200_000)

        # a recomputation meeting a new pairing village without its level is refused the same way
        await deliver(app.state.db, _village("350524101204", pairing=True, level=None))
        url = f"/funds/v1/plans/{r.json()['id']}"
        refused = await client.post(url + "/recomputation", headers=QUANZHOU)
        assert refused.status_code == 409
        assert refused.json()["villages"] == [{"code": "350524101204", "name": "村204"}]
        await refresh_job(app.state.db, datetime.now(UTC))
        plan = (await client.get(url, headers=QUANZHOU)).json()
        assert plan["blocked"]["type"] == "pairing-village-level-unknown"
        assert plan["total_fen"] == yuan(700_000)


def _exited(household_id: str, kept_until: date) -> object:
    return registry_event(
        "registry.household.exited.v1",
        household_id,
        {
            "household_id": household_id,
            "area_code": "440783105201",
            "member_count": 2,
            "exited_on": (kept_until - timedelta(days=3 * 365)).isoformat(),
            "policies_kept_until": kept_until.isoformat(),
        },
    )


async def test_the_keep_period_from_the_exit_event_decides_plan_and_payment_alike(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    today = clock.today()
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        for hid in ("kept", "lapsed"):
            await deliver(app.state.db, registered(hid, 2))
        # exited now: kept 3 years from today; exited in 2018: kept until 2021-11-29
        await deliver(app.state.db, _exited("kept", date(today.year + 3, today.month, 1)))
        await deliver(app.state.db, _exited("lapsed", date(2021, 11, 29)))
        year = today.year + 1
        r = await client.post(
            "/funds/v1/schemes",
            json={
                "code": "kaiping-next-year",
                "name": "下一年度人均投入",
                "area_code": KAIPING,
                "params": {
                    "kind": "per_capita",
                    "years": [year],
                    "amount_per_person_fen": yuan(1_000),
                    "payee": "kaiping-special-account",
                    "shares": [{"code": "kaiping", "payer": "kaiping-finance", "weight": 1}],
                },
            },
            headers=FINANCE,
        )
        assert r.status_code == 201, r.text
        r = await client.post(
            "/funds/v1/plans", json={"scheme_id": r.json()["id"], "area_code": KAIPING}, headers=FINANCE
        )
        assert r.status_code == 201, r.text
        plan = r.json()
        # next year's plan counts the household still inside its keep period, not the lapsed one
        assert (plan["people"], plan["total_fen"]) == (2, yuan(2_000))
        await receive_from_kaiping_finance(client, yuan(10_000), FINANCE)

        def pay(hid: str) -> dict:  # type: ignore[type-arg]
            return {
                "beneficiary_kind": "household",
                "beneficiary_id": hid,
                "amount_fen": yuan(1_000),
                "from_account": "kaiping-special-account",
                "plan_id": plan["id"],
            }

        ok = await client.post("/funds/v1/disbursements", json=pay("kept"), headers=FINANCE)
        assert ok.status_code == 201, ok.text  # the plan counts it, so the payment goes through
        refused = await client.post("/funds/v1/disbursements", json=pay("lapsed"), headers=FINANCE)
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/beneficiary-not-payable")
