"""Schemes applied to the registered population, over HTTP on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.funds.app import create_app
from services.funds.schemes.service import refresh_job
from services.funds.settings import FundsSettings
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    KAIPING,
    VILLAGE,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    outbox_types,
    register_chishui,
    registered,
    registry_event,
)
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio


async def refreshed(app, client, url: str, headers: dict[str, str] = FINANCE) -> dict:  # type: ignore[no-untyped-def]
    """The plan after the refresh job has run (it runs every 2 s in the service)."""
    await refresh_job(app.state.db, datetime.now(UTC))
    return dict((await client.get(url, headers=headers)).json())


def totals(plan: dict) -> dict[tuple[str, int | None], int]:
    return {(t["payer"], t["year"]): t["amount_fen"] for t in plan["totals"]}


async def test_kaiping_scheme_on_chishuis_251_people(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await deliver(app.state.db, registered("floor-1", 3, batches=("dibao_floor",)))  # not a key target
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)

        assert (plan["people"], plan["total_fen"]) == (251, yuan(5_020_000))
        t = totals(plan)
        assert t[("jiangmen-poverty-fund", None)] == yuan(4_016_000)
        assert [t[("kaiping-finance", y)] + t[("chishui-town-finance", y)] for y in (2016, 2017, 2018)] == [
            yuan(376_500),
            yuan(376_500),
            yuan(251_000),
        ]
        assert [t[("chishui-town-finance", y)] for y in (2016, 2017, 2018)] == [
            yuan(112_950),
            yuan(112_950),
            yuan(75_300),
        ]

        r = await client.get("/funds/v1/entitlements/household/hh-000", headers=FINANCE)
        assert r.json()["entitlement_fen"] == yuan(80_000)
        assert "funds.plan.recomputed.v1" in await outbox_types(app.state.db)


async def test_a_scheme_plans_a_household_once_not_again_for_its_village_or_county(make_db) -> None:  # type: ignore[no-untyped-def]
    """A village plan under the town's plan of the same scheme was taken: its households were then
    owed twice (entitlement, payers' arrears, the village board) — 120,000 instead of 60,000 yuan."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        town = await kaiping_plan(client)
        for area in (VILLAGE, KAIPING):  # inside the town's plan, and around it
            r = await client.post(
                "/funds/v1/plans", json={"scheme_id": town["scheme_id"], "area_code": area}, headers=FINANCE
            )
            assert r.status_code == 409, r.text
            problem = r.json()
            assert problem["type"].endswith("/plan-exists")
            assert (problem["plan_id"], problem["area_code"]) == (town["id"], town["area_code"])
            assert f"已为{town['area_code']}制定计划，与{area}有相同的户" in problem["detail"]

        r = await client.get("/funds/v1/entitlements/household/hh-000", headers=FINANCE)
        assert r.json()["entitlement_fen"] == yuan(80_000)  # once
        listed = (await client.get("/funds/v1/plans", headers=FINANCE)).json()["items"]
        assert [p["id"] for p in listed] == [town["id"]]


async def test_a_plan_made_before_the_registrys_households_arrived_says_why_it_shows_nobody(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)  # funds has heard of no household yet
        assert (plan["people"], plan["stale"], plan["stale_reason"]) == (0, False, None)
        url = f"/funds/v1/plans/{plan['id']}"

        await register_chishui(app.state.db)
        pending = (await client.get(url, headers=FINANCE)).json()
        assert (pending["people"], pending["stale"]) == (0, True)
        assert pending["stale_reason"].startswith("户籍数据尚未同步"), pending
        assert "每隔几秒自动重算" in pending["stale_reason"]
        english = await client.get(url, headers=FINANCE | {"Accept-Language": "en"})
        assert "households had not reached funds" in english.json()["stale_reason"], english.text
        assert "Accept-Language" in english.headers["Vary"]
        [listed] = (await client.get("/funds/v1/plans", headers=FINANCE)).json()["items"]
        assert listed["stale_reason"] == pending["stale_reason"]

        after = await refreshed(app, client, url)
        assert (after["people"], after["stale"], after["stale_reason"]) == (251, False, None)
        await deliver(app.state.db, registered("hh-new", 2))
        moved = (await client.get(url, headers=FINANCE)).json()
        assert moved["stale_reason"].startswith("户籍人口有变动"), moved


async def test_registry_events_change_the_plan(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        url = f"/funds/v1/plans/{plan['id']}"

        await deliver(app.state.db, registered("hh-new", 2))
        pending = (await client.get(url, headers=FINANCE)).json()
        assert (pending["stale"], pending["total_fen"]) == (True, yuan(5_020_000))
        after = await refreshed(app, client, url)
        assert (after["stale"], after["total_fen"], after["revision"]) == (False, yuan(5_060_000), 2)

        removed = registry_event(
            "registry.household.removed.v1",
            "hh-000",
            {"household_id": "hh-000", "area_code": "440783105201", "reason": "duplicate"},
        )
        await deliver(app.state.db, removed)
        after = await refreshed(app, client, url)
        assert (after["people"], after["total_fen"], after["revision"]) == (249, yuan(4_980_000), 3)

        # the same event again changes nothing (inbox), and an exit keeps the household planned for
        assert await deliver(app.state.db, removed) is False
        exited = registry_event(
            "registry.household.exited.v1",
            "hh-001",
            {
                "household_id": "hh-001",
                "area_code": "440783105201",
                "exit_request_id": "x",
                "exited_on": "2018-06-01",
                "policies_kept_until": "2020-12-31",
                "member_count": 4,
            },
        )
        await deliver(app.state.db, exited)
        assert (await refreshed(app, client, url))["revision"] == 3


async def test_quanzhou_28_city_villages_from_area_events(make_db) -> None:  # type: ignore[no-untyped-def]
    from services.funds.policies.presets import QUANZHOU_VILLAGE_GRANTS
    from services.funds.schemes.schemas import from_rule

    app = create_app(settings_for(FundsSettings, make_db("funds")))
    quanzhou = auth("finance", "350500000000")
    async with service_client(app) as client:
        for i in range(30):
            level = "city" if i < 28 else None
            await deliver(
                app.state.db,
                registry_event(
                    "registry.area.upserted.v1",
                    f"3505241{i:05d}",
                    {
                        "code": f"3505241{i:05d}",
                        "name": f"村{i}",
                        "level": "village",
                        "parent_code": "350524100000",
                        "poor_village": True,
                        "old_area_village": False,
                        "key_village": False,
                        "pairing_dispatch_level": level,
                        "rural_population": 900,
                        "collective_income_fen": None,
                    },
                ),
            )
        s = QUANZHOU_VILLAGE_GRANTS
        r = await client.post(
            "/funds/v1/schemes",
            json={"code": s.code, "name": s.name, "area_code": "350500000000", "params": from_rule(s)},
            headers=quanzhou,
        )
        r = await client.post(
            "/funds/v1/plans",
            json={"scheme_id": r.json()["id"], "area_code": "350500000000"},
            headers=quanzhou,
        )
        assert r.status_code == 201, r.text
        assert r.json()["total_fen"] == yuan(14_000_000)

        # a province-dispatched village added later raises the plan by 200,000
        await deliver(
            app.state.db,
            registry_event(
                "registry.area.upserted.v1",
                "350524100099",
                {
                    "code": "350524100099",
                    "name": "新村",
                    "level": "village",
                    "parent_code": "350524100000",
                    "pairing_dispatch_level": "province",
                },
            ),
        )
        grown = await refreshed(app, client, f"/funds/v1/plans/{r.json()['id']}", quanzhou)
        assert grown["total_fen"] == yuan(14_200_000)


async def test_plans_are_area_scoped_and_bad_schemes_change_nothing(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        other = auth("finance", "350500000000")
        r = await client.get(f"/funds/v1/plans/{plan['id']}", headers=other)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"

        bad = {
            "code": "bad",
            "name": "bad",
            "area_code": KAIPING,
            "params": {
                "kind": "per_capita",
                "years": [2016],
                "amount_per_person_fen": 100,
                "payee": "x",
                "shares": [
                    {
                        "code": "a",
                        "payer": "p",
                        "weight": 1,
                        "sub_shares": [
                            {"code": "b", "payer": "q", "basis_points": 6000},
                            {"code": "c", "payer": "r", "basis_points": 6000},
                        ],
                    }
                ],
            },
        }
        r = await client.post("/funds/v1/schemes", json=bad, headers=FINANCE)
        assert r.status_code == 422
        assert r.json()["type"].endswith("/invalid-scheme")
        r = await client.get("/funds/v1/schemes", headers=FINANCE)
        assert [s["code"] for s in r.json()["items"]] == ["kaiping-per-capita-2016"]


async def test_member_changes_exit_and_relapse_move_the_plan(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    village = "440783105201"
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 4))
        await open_kaiping_accounts(client)
        plan = await kaiping_plan(client)
        url = f"/funds/v1/plans/{plan['id']}"
        assert plan["total_fen"] == yuan(80_000)

        def updated(change: str, status: str, members: int):  # type: ignore[no-untyped-def]
            return registry_event(
                "registry.household.updated.v1",
                "hh-a",
                {
                    "household_id": "hh-a",
                    "area_code": village,
                    "status": status,
                    "member_count": members,
                    "member_ids": [],
                    "change": change,
                },
            )

        await deliver(app.state.db, updated("member_removed", "registered", 3))
        assert (await refreshed(app, client, url))["total_fen"] == yuan(60_000)
        # an income record changes nothing a plan reads: not even marked for recomputation
        revision = (await client.get(url, headers=FINANCE)).json()["revision"]
        await deliver(app.state.db, updated("income", "registered", 3))
        unchanged = (await client.get(url, headers=FINANCE)).json()
        assert (unchanged["stale"], unchanged["revision"]) == (False, revision)

        removed = registry_event(
            "registry.household.removed.v1",
            "hh-a",
            {"household_id": "hh-a", "area_code": village, "reason": "x"},
        )
        await deliver(app.state.db, removed)
        assert (await refreshed(app, client, url))["total_fen"] == 0
        relapsed = registry_event(
            "registry.household.relapsed.v1",
            "hh-a",
            {
                "household_id": "hh-a",
                "area_code": village,
                "plan_year": 2017,
                "member_count": 3,
                "member_ids": [],
            },
        )
        await deliver(app.state.db, relapsed)
        assert (await refreshed(app, client, url))["total_fen"] == yuan(60_000)


async def test_lists_are_cursor_paginated_and_bounded(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await register_chishui(app.state.db)
        listing = "/funds/v1/beneficiaries"
        every = {}
        for kind in ("household", "village"):
            r = await client.get(listing, params={"kind": kind, "limit": 200}, headers=FINANCE)
            every[kind] = r.json()["items"]
        assert every["household"], "the Chishui households are beneficiaries"
        statuses = {(b["status"], b["status_label"]) for b in every["household"]}
        assert statuses == {("registered", "已建档立卡")}
        # Chishui here has no village-collective beneficiaries: 村集体 must list none, not the households
        assert every["village"] == []
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/funds/v1/beneficiaries", params=params, headers=FINANCE)).json()
            seen += [b["ref_id"] for b in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 71
        # the kind by its 受益对象类别 label finds what the code finds; another word is a 422
        for kind in ("household", "农户", " 农户 ", "village", "村集体"):
            r = await client.get(listing, params={"kind": kind, "limit": 200}, headers=FINANCE)
            assert r.status_code == 200, r.text
            code = "village" if kind.strip() in ("village", "村集体") else "household"
            listed = [b["ref_id"] for b in r.json()["items"]]
            assert listed == [b["ref_id"] for b in every[code]], kind
        bad = await client.get("/funds/v1/beneficiaries", params={"kind": "贫困户"}, headers=FINANCE)
        assert bad.status_code == 422, bad.text
        assert "农户、村集体" in bad.json()["detail"], bad.text
        assert (
            await client.get("/funds/v1/beneficiaries", params={"limit": 201}, headers=FINANCE)
        ).status_code == 422
        quanzhou = await client.get("/funds/v1/beneficiaries", headers=auth("finance", "350500000000"))
        assert quanzhou.json()["items"] == []


async def test_an_older_event_delivered_late_does_not_undo_newer_news(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        first = registered("hh-late", 3)  # written first in the registry ...
        removed = registry_event(
            "registry.household.removed.v1",
            "hh-late",
            {"household_id": "hh-late", "area_code": "440783105201", "reason": "duplicate"},
        )
        await deliver(app.state.db, removed)
        await deliver(app.state.db, first)  # ... but redelivered after the removal
        r = await client.get("/funds/v1/beneficiaries", headers=FINANCE)
        assert [(b["ref_id"], b["status"]) for b in r.json()["items"]] == [("hh-late", "removed")]
        # the status in the registry's words beside its code, as pairing says it
        assert r.json()["items"][0]["status_label"] == "已清退"
