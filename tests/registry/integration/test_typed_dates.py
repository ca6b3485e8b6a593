"""Dates a clerk types cannot cheat the public notice (公示期要在7天以上, seed 004): not before the
household was entered, not in the future (China date), and further back than the policy's 3 days
only as an audited late entry (补录) with a reason and an approver, shown on the public board."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.clock import clock
from shared.tables import audit_log
from tests.registry.integration.helpers import (
    REGISTRAR,
    VILLAGE,
    candidate,
    confirm,
    load_areas,
    on_day,
    registry_app,
)
from tests.registry.integration.test_exits_and_relapse import exited_household
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
BOARD = "/registry/v1/public/notices"
TOWN_OFFICER = auth(["registrar", "approver"], "440783101000", sub="town-officer")


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


def days_ago(n):
    return (clock.today() - timedelta(days=n)).isoformat()


async def test_a_review_and_notice_dated_before_the_household_was_entered_are_refused(make_db):
    """The outside check's case: entered today, review 10 days ago, notice 9 days ago."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        # (with a backdate_reason the paper history is accepted: test_paper_history)
        for headers in [REGISTRAR, TOWN_OFFICER]:
            r = await c.post(
                url(h, "/review"),
                json={"result": "approved", "held_on": days_ago(10)},
                headers=headers | {"Accept-Language": "en"},
            )
            assert r.status_code == 409, r.text
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["type"].endswith("/date-before-record")
            assert body["not_before"] == clock.today().isoformat()
            assert "before the day the household was entered" in body["detail"]
        r = await c.post(
            url(h, "/review"), json={"result": "approved", "held_on": days_ago(10)}, headers=REGISTRAR
        )
        assert r.json()["title"] == "日期早于记录建立日期"  # Chinese by default
        assert r.json()["not_before_what_label"] == "本户录入系统的日期"  # beside the English not_before_what
        # which record it cannot precede, in the clerk's words (stop 26: "所属记录的日期" named none)
        assert r.json()["detail"].startswith(
            f"民主评议日期 {days_ago(10)} 早于本户录入系统的日期（{clock.today().isoformat()}）"
        )
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert card["status"] == "in_review"
        assert card["review_held_on"] is None
        # the review today is fine; a notice from 9 days ago is not
        r = await c.post(
            url(h, "/review"), json={"result": "approved", "held_on": days_ago(0)}, headers=REGISTRAR
        )
        assert r.status_code == 200, r.text
        r = await c.post(url(h, "/notice"), json={"starts_on": days_ago(9)}, headers=TOWN_OFFICER)
        assert r.status_code == 409
        # a notice today can be confirmed only after its 7 days
        r = await c.post(url(h, "/notice"), json={"starts_on": days_ago(0)}, headers=REGISTRAR)
        assert r.status_code == 200, r.text
        assert r.json()["confirmable_on"] == (clock.today() + timedelta(days=7)).isoformat()
        r = await confirm(c, h)  # the household signs, but the notice still runs
        assert r.status_code == 409
        assert r.json()["type"].endswith("/public-notice-still-running")


async def test_dates_in_the_future_are_refused_with_422(make_db):
    app = registry_app(make_db("registry"))
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    async with service_client(app) as c:
        await load_areas(c)
        with on_day(clock.today() - timedelta(days=2)):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        r = await c.post(
            url(h, "/review"), json={"result": "approved", "held_on": tomorrow}, headers=REGISTRAR
        )
        assert r.status_code == 422, r.text
        assert r.json()["type"].endswith("/date-in-future")
        assert r.json()["field"] == "held_on"  # the field the clerk sent, not the household's column
        r = await c.post(
            url(h, "/review"), json={"result": "approved", "held_on": days_ago(1)}, headers=REGISTRAR
        )
        assert r.status_code == 200, r.text
        r = await c.post(url(h, "/notice"), json={"starts_on": tomorrow}, headers=REGISTRAR)
        assert r.status_code == 422
        assert (r.json()["type"].rsplit("/", 1)[1], r.json()["field"]) == ("date-in-future", "starts_on")
        r = await c.post(url(h, "/notice"), json={"starts_on": days_ago(1)}, headers=REGISTRAR)
        assert r.status_code == 200, r.text
        for lodged_on, status, slug in [
            (tomorrow, 422, "date-in-future"),
            (days_ago(2), 409, "date-before-record"),  # before the notice started
        ]:
            r = await c.post(
                url(h, "/objections"), json={"content": "家中有车", "lodged_on": lodged_on}, headers=REGISTRAR
            )
            assert r.status_code == status, r.text
            assert (r.json()["type"].rsplit("/", 1)[1], r.json()["field"]) == (slug, "lodged_on")
        r = await c.post(
            url(h, "/objections"), json={"content": "家中有车", "lodged_on": days_ago(0)}, headers=REGISTRAR
        )
        assert r.status_code == 201
        # a malformed date is the ordinary validation problem
        r = await c.post(
            url(h, "/objections"), json={"content": "x", "lodged_on": "2026-13-01"}, headers=REGISTRAR
        )
        assert r.status_code == 422
        assert r.json()["type"].endswith("/validation-error")


async def test_a_date_up_to_three_days_back_is_an_ordinary_entry(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        with on_day(clock.today() - timedelta(days=5)):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        r = await c.post(
            url(h, "/review"), json={"result": "approved", "held_on": days_ago(3)}, headers=REGISTRAR
        )
        assert r.status_code == 200, r.text
        r = await c.post(url(h, "/notice"), json={"starts_on": days_ago(3)}, headers=REGISTRAR)
        assert r.status_code == 200, r.text
        items = (await c.get(BOARD, params={"area_code": VILLAGE})).json()["items"]
        assert len(items) == 1
        assert items[0]["notice_starts_on"] == days_ago(3)
        assert items[0]["late_entries"] == []


async def test_further_back_needs_a_reason_and_an_approver_and_is_audited_and_on_the_board(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        with on_day(clock.today() - timedelta(days=20)):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
        review = {"result": "approved", "held_on": days_ago(10)}
        for headers, extra, missing in [
            (REGISTRAR, {}, ["reason", "role"]),
            (REGISTRAR, {"backdate_reason": "村评议会议记录迟交"}, ["role"]),
            (TOWN_OFFICER, {}, ["reason"]),
        ]:
            r = await c.post(url(h, "/review"), json=review | extra, headers=headers)
            assert r.status_code == 409, r.text
            body = r.json()
            assert body["type"].endswith("/late-entry-refused")
            assert body["missing"] == missing
            assert body["days_late"] == 10
            assert body["tolerance_days"] == 3
        r = await c.post(
            url(h, "/review"), json=review | {"backdate_reason": "村评议会议记录迟交"}, headers=TOWN_OFFICER
        )
        assert r.status_code == 200, r.text
        r = await c.post(url(h, "/notice"), json={"starts_on": days_ago(5)}, headers=REGISTRAR)
        assert r.status_code == 409
        assert r.json()["missing"] == ["reason", "role"]
        r = await c.post(
            url(h, "/notice"),
            json={"starts_on": days_ago(5), "backdate_reason": "公示已张贴，系统录入延误"},
            headers=TOWN_OFFICER,
        )
        assert r.status_code == 200, r.text
        # the board shows the notice with both late entries, for everyone to see
        items = (await c.get(BOARD, params={"area_code": VILLAGE})).json()["items"]
        assert len(items) == 1
        assert items[0]["notice_starts_on"] == days_ago(5)
        late = items[0]["late_entries"]
        assert [(e["field"], e["entered_date"], e["days_late"], e["reason"]) for e in late] == [
            ("review_held_on", days_ago(10), 10, "村评议会议记录迟交"),
            ("notice_starts_on", days_ago(5), 5, "公示已张贴，系统录入延误"),
        ]
        assert all(e["recorded_on"] == days_ago(0) for e in late)
        async with app.state.db.transaction() as s:
            audited = (
                await s.execute(
                    select(audit_log.c.action, audit_log.c.actor, audit_log.c.after)
                    .where(audit_log.c.entity_id == h["id"])
                    .order_by(audit_log.c.id)
                )
            ).all()
        late_audits = [
            (a, actor, after["late_entry"]) for a, actor, after in audited if "late_entry" in after
        ]
        assert [(a, actor, e["field"], e["reason"]) for a, actor, e in late_audits] == [
            ("household.record_review", "town-officer", "review_held_on", "村评议会议记录迟交"),
            ("household.start_notice", "town-officer", "notice_starts_on", "公示已张贴，系统录入延误"),
        ]


async def test_a_notice_starting_today_in_china_is_on_the_board_while_utc_is_still_yesterday(make_db):
    """23:30 UTC on the 3rd is 07:30 on the 4th in Beijing: a notice pinned up that morning is current."""
    app = registry_app(make_db("registry"))
    beijing_morning = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    async with service_client(app) as c:
        await load_areas(c)
        with clock.frozen(beijing_morning - timedelta(days=1)):
            h = await candidate(c)
            await c.post(url(h, "/review-submission"), headers=REGISTRAR)
            r = await c.post(
                url(h, "/review"), json={"result": "approved", "held_on": "2026-12-03"}, headers=REGISTRAR
            )
            assert r.status_code == 200, r.text
        with clock.frozen(beijing_morning):
            r = await c.post(url(h, "/notice"), json={"starts_on": "2026-12-04"}, headers=REGISTRAR)
            assert r.status_code == 200, r.text
            items = (await c.get(BOARD, params={"area_code": VILLAGE})).json()["items"]
        assert [(i["notice_starts_on"], i["notice_last_day"], i["current"]) for i in items] == [
            ("2026-12-04", "2026-12-10", True)
        ]


async def test_an_exit_notice_running_now_in_china_is_on_the_board(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await exited_household(app, c)  # verified 2018-11-30 (inspection's China date)
        # 00:30 on the 30th in Beijing is still the 29th in UTC
        with clock.frozen(datetime(2018, 11, 29, 16, 30, tzinfo=UTC)):
            items = (await c.get(BOARD, params={"area_code": VILLAGE, "kind": "exit"})).json()["items"]
        assert [(i["exited_on"], i["notice_last_day"], i["current"]) for i in items] == [
            ("2018-11-30", "2018-12-06", True)
        ]
