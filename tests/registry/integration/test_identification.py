"""Identification over HTTP: every step, the notice's minimum days, objections, rejection."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shared.audit import verify_chain
from shared.clock import clock
from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
    APPROVER,
    REGISTRAR,
    candidate,
    confirm,
    load_areas,
    on_day,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


async def test_the_full_path_from_candidate_to_registered_is_audited_and_published(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        today = clock.today()
        start = today - timedelta(days=7)
        with on_day(start):  # entered, reviewed and pinned up a week ago
            h = await candidate(c)
            r = await c.post(url(h, "/review-submission"), headers=REGISTRAR)
            assert r.json()["status"] == "in_review"
            r = await c.post(
                url(h, "/review"),
                json={"result": "approved", "held_on": start.isoformat()},
                headers=REGISTRAR,
            )
            assert r.json()["status"] == "in_review"
            r = await c.post(url(h, "/notice"), json={"starts_on": start.isoformat()}, headers=REGISTRAR)
        assert r.json() | {"household_id": None} == {
            "household_id": None,
            "status": "in_notice",
            "status_label": "公示中",  # each step's answer says the status in the clerk's words
            "household_number": None,
            "confirmable_on": today.isoformat(),
        }
        assert (await confirm(c, h)).json()["status_label"] == "已确认"
        # registration is the approver's decision, not the registrar's
        assert (await c.post(url(h, "/registration"), headers=REGISTRAR)).status_code == 403
        r = await c.post(url(h, "/registration"), headers=APPROVER)
        assert (r.json()["status"], r.json()["status_label"]) == ("registered", "已建档立卡")
        assert r.json()["household_number"].startswith("440783101201")
        async with app.state.db.transaction() as s:
            actions = (
                (
                    await s.execute(
                        select(audit_log.c.action)
                        .where(audit_log.c.entity_id == h["id"])
                        .order_by(audit_log.c.id)
                    )
                )
                .scalars()
                .all()
            )
            types = (
                (
                    await s.execute(
                        select(outbox.c.type).where(outbox.c.subject == h["id"]).order_by(outbox.c.seq)
                    )
                )
                .scalars()
                .all()
            )
        assert actions == [
            "household.candidate_created",
            "household.submit_review",
            "household.record_review",
            "household.start_notice",
            "household.confirm",
            "household.register",
        ]
        assert types == ["registry.household.candidate_created.v1"] + [
            "registry.household.updated.v1"
        ] * 4 + ["registry.household.registered.v1"]
        async with app.state.db.transaction() as s:
            registered = (
                await s.execute(
                    select(outbox.c.envelope).where(outbox.c.type == "registry.household.registered.v1")
                )
            ).scalar_one()
            assert await verify_chain(s) == (True, None)  # the audit trail's hash chain is intact
        data = registered["data"]
        assert data["member_count"] == 2
        assert len(data["member_ids"]) == 2
        assert data["head_name_masked"] == "王**"
        assert data["batches"] == ["production_employment"]


async def test_confirming_while_the_notice_runs_is_409_with_the_date_it_becomes_possible(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        today = clock.today()
        start = today - timedelta(days=6)  # 6 full days: the 7th is today
        with on_day(start):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
            await c.post(
                url(h, "/review"),
                json={"result": "approved", "held_on": start.isoformat()},
                headers=REGISTRAR,
            )
            await c.post(url(h, "/notice"), json={"starts_on": start.isoformat()}, headers=REGISTRAR)
        r = await confirm(c, h)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/public-notice-still-running")
        assert r.json()["confirmable_on"] == (today + timedelta(days=1)).isoformat()
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "in_notice"


async def test_an_open_objection_blocks_confirmation_until_dismissed_and_an_upheld_one_rejects(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        start = clock.today() - timedelta(days=30)
        objections = []
        with on_day(start):
            households = [await candidate(c), await candidate(c)]
            for h in households:
                await c.post(url(h, "/review-submission"), headers=REGISTRAR)
                await c.post(
                    url(h, "/review"),
                    json={"result": "approved", "held_on": start.isoformat()},
                    headers=REGISTRAR,
                )
                await c.post(url(h, "/notice"), json={"starts_on": start.isoformat()}, headers=REGISTRAR)
                o = await c.post(
                    url(h, "/objections"),
                    json={"content": "家中有车", "lodged_on": start.isoformat()},
                    headers=REGISTRAR,
                )
                assert o.status_code == 201
                assert (o.json()["status"], o.json()["status_label"]) == ("open", "待核实")
                objections.append(o.json())
        first, second = households
        r = await confirm(c, first)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/objections-open")

        r = await c.post(
            url(first, f"/objections/{objections[0]['id']}/resolution"),
            json={"outcome": "dismissed", "resolution": "车辆为借用"},
            headers=REGISTRAR,
        )
        assert (r.json()["status"], r.json()["status_label"]) == ("dismissed", "不成立")
        listed = (await c.get(url(first, "/objections"), headers=REGISTRAR)).json()
        assert [o["status_label"] for o in listed] == ["不成立"]
        again = await c.post(
            url(first, f"/objections/{objections[0]['id']}/resolution"),
            json={"outcome": "upheld", "resolution": "再次核实"},
            headers=REGISTRAR,
        )
        assert again.status_code == 409, again.text
        assert again.json()["type"].endswith("/objection-already-resolved")
        # not "该户当前状态不允许这一步": the household's status is fine, the objection is done
        assert again.json()["title"] == "该异议已处理"
        assert "核实结果为“不成立”，不能再次处理" in again.json()["detail"]
        assert (await confirm(c, first)).status_code == 200

        await c.post(
            url(second, f"/objections/{objections[1]['id']}/resolution"),
            json={"outcome": "upheld", "resolution": "核实有营运车辆"},
            headers=REGISTRAR,
        )
        card = (await c.get(url(second), headers=REGISTRAR)).json()
        assert card["status"] == "rejected"
        assert "核实有营运车辆" in card["closed_reason"]


async def test_refused_transitions_are_409_and_change_nothing(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        for path, body in [
            ("/notice", {"starts_on": "2017-01-01"}),
            ("/objections", {"content": "x", "lodged_on": "2017-01-01"}),
        ]:
            r = await c.post(url(h, path), json=body, headers=REGISTRAR)
            assert r.status_code == 409, (path, r.text)
            assert r.headers["content-type"] == "application/problem+json"
        for r in [await confirm(c, h)]:  # the household's own signature, but nothing to confirm yet
            assert r.status_code == 409, r.text
            assert r.headers["content-type"] == "application/problem+json"
        assert (await c.post(url(h, "/registration"), headers=APPROVER)).status_code == 409
        r = await c.post(url(h, "/exit-requests"), json={"year": 2017}, headers=REGISTRAR)
        assert r.status_code == 409
        await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        r = await c.post(url(h, "/notice"), json={"starts_on": "2017-01-01"}, headers=REGISTRAR)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/village-review-not-approved")
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert card["status"] == "in_review"
        assert card["version"] == 2


async def test_a_review_that_does_not_approve_rejects_and_frees_the_members(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        r = await c.post(
            url(h, "/review"),
            json={"result": "not_approved", "held_on": clock.today().isoformat()},
            headers=REGISTRAR,
        )
        assert r.json()["status"] == "rejected"
        assert (await c.post(url(h, "/review-submission"), headers=REGISTRAR)).status_code == 409


async def test_a_second_review_that_does_not_approve_shows_on_the_card_in_chinese(make_db):
    """Walking a household's life (stop 29): the village reviewed again and did not approve; the
    card went on saying review_result approved, and its closed_reason was English."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        with clock.frozen(date(2026, 12, 6)):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
            first = {"result": "approved", "held_on": "2026-12-06"}
            assert (await c.post(url(h, "/review"), json=first, headers=REGISTRAR)).status_code == 200
            again = {"result": "not_approved", "held_on": "2026-12-06"}
            r = await c.post(url(h, "/review"), json=again, headers=REGISTRAR)
            assert r.status_code == 200, r.text
            card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert (card["status"], card["review_result"], card["review_held_on"]) == (
            "rejected",
            "not_approved",
            "2026-12-06",
        )
        assert card["closed_reason"] == "村民主评议未通过（2026-12-06）"


async def test_an_inspector_cannot_drive_identification(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        r = await c.post(url(h, "/review-submission"), headers=auth("inspector", "440783101201"))
        assert r.status_code == 403


async def test_a_notice_dated_before_the_village_review_is_told_as_a_date_problem(make_db):
    """A clerk who types a notice start before the review day reads what is wrong with the date,
    not that the household's status forbids the step (its status is fine); nothing changes."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        today = clock.today()
        with on_day(today - timedelta(days=3)):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        held = (today - timedelta(days=1)).isoformat()
        r = await c.post(url(h, "/review"), json={"result": "approved", "held_on": held}, headers=REGISTRAR)
        assert r.status_code == 200, r.text
        early = (today - timedelta(days=2)).isoformat()
        r = await c.post(url(h, "/notice"), json={"starts_on": early}, headers=REGISTRAR)
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["type"].endswith("/notice-before-review")
        assert body["title"] == "公示开始日期早于民主评议日期"
        assert body["detail"] == f"公示开始日期（{early}）不能早于民主评议日期（{held}）"
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert (card["status"], card["notice_starts_on"]) == ("in_review", None)
