"""Exit (eligibility, request, inspection's verdict events) and the return-to-poverty chain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.registry.consumers import HANDLERS
from shared.clock import clock
from shared.events import CloudEvent
from shared.events.consumer import handle_event
from shared.tables import outbox
from tests.registry.integration.helpers import (
    APPROVER,
    REGISTRAR,
    VILLAGE,
    load_areas,
    registered,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
ALL_NEEDS = {
    k: True
    for k in ("food", "clothing", "safe_water", "compulsory_education", "basic_medical", "safe_housing")
}


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


async def make_eligible(c, h, *, income_fen=500_000):
    r = await c.patch(
        url(h),
        json={"basic_needs": ALL_NEEDS, "income_channels": ["wages"]},
        headers=REGISTRAR | {"If-Match": f'"{h["version"]}"'},
    )
    assert r.status_code == 200, r.text
    r = await c.put(
        url(h, "/incomes"), json={"year": 2018, "per_capita_income_fen": income_fen}, headers=REGISTRAR
    )
    assert r.status_code == 204


def verdict(kind, h, req, **data):
    return CloudEvent(
        source="jingzhun/inspection",
        type=f"inspection.exit.{kind}.v1",
        subject=h["id"],
        data={
            "household_id": h["id"],
            "area_code": h["area_code"],
            "exit_request_id": req["id"],
            "dossier_id": "d-1",
            **data,
        },
    )


async def test_eligibility_answers_each_criterion_and_an_ineligible_request_is_409(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        r = await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR)
        crit = {x["criterion"]: x["passed"] for x in r.json()["criteria"]}
        assert crit == {
            "income_above_line": False,
            "income_channel": False,
            "no_large_debt": True,
            "basic_needs_met": False,
        }
        r = await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/exit-not-eligible")
        await make_eligible(c, h)
        debt = await c.post(
            url(h, "/debts"),
            json={"cause": "illness", "amount_fen": 5_000_000, "recorded_on": "2018-01-01"},
            headers=REGISTRAR,
        )
        r = await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR)
        assert [x["criterion"] for x in r.json()["criteria"] if not x["passed"]] == ["no_large_debt"]
        await c.post(url(h, f"/debts/{debt.json()['id']}/settlement"), headers=REGISTRAR)
        assert (await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR)).json()["eligible"]


async def test_an_exit_for_a_year_still_to_come_in_china_names_the_year(make_db):
    """At 03:00 on 6 December in China (UTC: the 5th) 2027 has not begun: asking a household's exit
    for it is 422 date-in-future naming the year (it was 409 "no 2027 income recorded", as if the
    clerk had only to enter one), and the household stays as it was."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        with clock.frozen(datetime(2026, 12, 5, 19, 0, tzinfo=UTC)):
            r = await c.post(url(h, "/exit-requests"), json={"year": 2027}, headers=REGISTRAR)
        assert r.status_code == 422, r.text
        assert r.json()["type"].endswith("/date-in-future")
        assert (r.json()["field"], r.json()["today"]) == ("year", "2026-12-06")
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "registered"
        assert (await c.get(url(h, "/exit-requests"), headers=REGISTRAR)).json() == []


async def test_verified_exit_keeps_policies_and_a_duplicate_event_changes_nothing(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        h = (await c.get(url(h), headers=REGISTRAR)).json()
        await make_eligible(c, h)
        req = (await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)).json()
        assert (req["status"], req["status_label"]) == ("pending", "审核中")
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "exit_requested"

        event = verdict("verified", h, req, verified_on="2018-11-30")
        assert await handle_event(app.state.db, "registry", event, HANDLERS)
        assert not await handle_event(app.state.db, "registry", event, HANDLERS)
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert card["status"] == "exited"
        assert card["exited_on"] == "2018-11-30"
        assert card["policies_kept_until"] == "2021-11-29"  # 3 years counted from the exit
        assert card["exit_notice_until"] == "2018-12-06"  # 7 days of public notice, the 30th counted
        async with app.state.db.transaction() as s:
            exited = (
                (
                    await s.execute(
                        select(outbox.c.envelope).where(outbox.c.type == "registry.household.exited.v1")
                    )
                )
                .scalars()
                .all()
            )
        assert len(exited) == 1
        assert exited[0]["data"]["exit_request_id"] == req["id"]
        # a late rejection for an already decided request is ignored
        late = verdict("rejected", h, req, level="township", step="township_head", reason="x")
        assert await handle_event(app.state.db, "registry", late, HANDLERS)
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "exited"


async def test_rejected_exit_returns_the_household_with_the_reason(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        await make_eligible(c, h)
        req = (await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)).json()
        await handle_event(
            app.state.db,
            "registry",
            verdict("rejected", h, req, level="township", step="township_head", reason="收入未核实"),
            HANDLERS,
        )
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "registered"
        reqs = (await c.get(url(h, "/exit-requests"), headers=REGISTRAR)).json()
        assert reqs[0]["status"] == "returned"
        assert reqs[0]["reason"] == "收入未核实（乡镇级签字时退回）"  # no English, no position codes
        assert reqs[0]["status_label"] == "已退回"
        async with app.state.db.transaction() as s:
            returned = (
                await s.execute(
                    select(outbox.c.envelope).where(outbox.c.type == "registry.household.exit_returned.v1")
                )
            ).scalar_one()
        assert "收入未核实" in returned["data"]["reason"]


async def exited_household(app, c):
    h = await registered(c)
    await make_eligible(c, h)
    req = (await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)).json()
    await handle_event(
        app.state.db, "registry", verdict("verified", h, req, verified_on="2018-11-30"), HANDLERS
    )
    return h


async def test_the_relapse_chain_needs_each_role_at_its_level_and_reregisters_for_next_year(make_db):
    app = registry_app(make_db("registry"))
    town_registrar = auth("registrar", "440783101000")
    county_approver = auth("approver", "440783000000")
    city_approver = auth("approver", "440700000000")
    async with service_client(app) as c:
        await load_areas(c)
        h = await exited_household(app, c)
        r = await c.post(
            url(h, "/relapse-cases"),
            json={"cause": "台风灾害", "cause_kind": "major_natural_disaster"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201
        case = r.json()
        assert case["next_step"] == "town_recognition"
        # the case as the approval screen reads it: status, next step and each step's level in words
        assert (case["status_label"], case["next_step_label"]) == ("审批中", "镇农办、民政认定")
        assert [(s["code_label"], s["role_label"], s["level_label"]) for s in case["chain"]][-1] == (
            "上级扶贫部门审定",
            "审批人",
            "市级",
        )
        assert [s["level_label"] for s in case["chain"]] == ["乡镇级", "乡镇级", "县级", "市级"]
        decide = f"/registry/v1/relapse-cases/{case['id']}/decisions"

        def body(step):
            return {"step": step, "decision": "approve", "reason": "核实受灾"}

        # a village registrar has the role but not the level; an approver at township lacks the role
        r = await c.post(decide, json=body("town_recognition"), headers=REGISTRAR)
        assert r.status_code == 403
        assert r.json()["detail"] == "“镇农办、民政认定”须由乡镇级办理，您的账号属于村级"
        r = await c.post(decide, json=body("town_recognition"), headers=APPROVER)
        assert r.status_code == 403
        assert r.json()["detail"] == "“镇农办、民政认定”须由登记人员办理"
        # skipping ahead is refused
        r = await c.post(decide, json=body("city_review"), headers=county_approver)
        assert r.status_code == 409
        assert r.json()["detail"] == "下一步应为“镇农办、民政认定”，不是“市扶贫部门审核”"
        for step, who in [
            ("town_recognition", town_registrar),
            ("town_application", APPROVER),
            ("city_review", county_approver),
        ]:
            r = await c.post(decide, json=body(step), headers=who)
            assert r.status_code == 200, (step, r.text)
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "exited"
        r = await c.post(decide, json=body("higher_approval"), headers=city_approver)
        assert (r.json()["status"], r.json()["status_label"]) == ("approved", "已批准返贫")
        assert r.json()["plan_year"] == clock.today().year + 1
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert card["status"] == "registered"
        assert card["year"] == clock.today().year + 1
        # poor again: no exit, no keep period, no exit notice running (was: its last day stayed)
        exit_dates = ("exited_on", "policies_kept_until", "exit_notice_until")
        assert [card[k] for k in exit_dates] == [None, None, None]
        async with app.state.db.transaction() as s:
            ev = (
                await s.execute(
                    select(outbox.c.envelope).where(outbox.c.type == "registry.household.relapsed.v1")
                )
            ).scalar_one()
        assert ev["data"]["plan_year"] == clock.today().year + 1
        assert len(ev["data"]["member_ids"]) == 2


async def test_a_refused_step_closes_the_case_and_the_household_stays_exited(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await exited_household(app, c)
        case = (
            await c.post(
                url(h, "/relapse-cases"),
                json={"cause": "山洪冲毁房屋", "cause_kind": "major_natural_disaster"},
                headers=REGISTRAR,
            )
        ).json()
        r = await c.post(
            f"/registry/v1/relapse-cases/{case['id']}/decisions",
            json={"step": "town_recognition", "decision": "refuse", "reason": "收入达标"},
            headers=auth("registrar", "440783101000"),
        )
        assert (r.json()["status"], r.json()["status_label"]) == ("refused", "未批准")
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "exited"
        # a registered household cannot start a relapse case
        other = await registered(c)
        assert (
            await c.post(
                url(other, "/relapse-cases"),
                json={"cause": "x", "cause_kind": "major_natural_disaster"},
                headers=REGISTRAR,
            )
        ).status_code == 409
        # and a registrar of another village cannot see the case
        r = await c.get(f"/registry/v1/relapse-cases/{case['id']}", headers=auth("registrar", "440783101202"))
        assert r.status_code == 404
        assert VILLAGE


async def test_a_household_waiting_for_its_exit_verdict_cannot_merge(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        waiting = await registered(c)
        other = await registered(c)
        await make_eligible(c, waiting)
        assert (
            await c.post(url(waiting, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        ).status_code == 201
        for source, target in ((waiting, other), (other, waiting)):
            r = await c.post(
                url(source, "/merge"),
                json={"into_household_id": target["id"], "reason": "合户"},
                headers=REGISTRAR,
            )
            assert r.status_code == 409


async def test_a_verdict_for_a_household_no_longer_waiting_voids_the_request_instead_of_failing(make_db):
    from sqlalchemy import update

    from services.registry.models import Household

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        await make_eligible(c, h)
        req = (await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)).json()
        async with app.state.db.transaction() as s:  # some other path moved it on (simulated)
            await s.execute(update(Household).where(Household.id == h["id"]).values(status="registered"))
        event = verdict("verified", h, req, verified_on="2018-11-30")
        assert await handle_event(app.state.db, "registry", event, HANDLERS)  # handled, not a poison message
        reqs = (await c.get(url(h, "/exit-requests"), headers=REGISTRAR)).json()
        assert (reqs[0]["status"], reqs[0]["status_label"]) == ("void", "已作废")
        # why, in the clerk's words (not the event's type and the status code)
        assert reqs[0]["reason"] == (
            "退出核验结论（核验通过）送达时，该户状态已是“已建档立卡”，不再是申请退出中，本申请作废"
        )
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "registered"
