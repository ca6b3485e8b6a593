"""Identification held on paper before the household was entered (补录, seed 004: 评议, 张榜公示
at least 7 days, 逐户签字确认): with a backdate_reason the earlier review and notice are accepted in
their order, audited as late entries and shown on the timeline; without one, refused as before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clock import clock
from tests.registry.integration.helpers import APPROVER, REGISTRAR, candidate, load_areas, registry_app
from tests.registry.integration.test_typed_dates import TOWN_OFFICER, days_ago, url
from tests.support import service_client
from tests.support.identification import confirm

pytestmark = pytest.mark.asyncio
REVIEW_PAPER, NOTICE_PAPER = "纸质评议记录补录", "公示已于村务公开栏张贴，纸质记录补录"


async def _in_review(c):
    h = await candidate(c)  # entered today
    r = await c.post(url(h, "/review-submission"), headers=REGISTRAR)
    assert r.status_code == 200, r.text
    return h


async def test_a_paper_review_and_notice_entered_with_a_reason_lead_to_registration_today(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await _in_review(c)
        review = {"result": "approved", "held_on": days_ago(20)}
        # without a reason: refused as before (早于本户录入系统的日期)
        r = await c.post(url(h, "/review"), json=review, headers=TOWN_OFFICER)
        assert r.status_code == 409, r.text
        assert r.json()["type"].endswith("/date-before-record")
        # with a reason but the village clerk's role: a late entry needs the approver
        late = {"backdate_reason": REVIEW_PAPER}
        r = await c.post(url(h, "/review"), json=review | late, headers=REGISTRAR)
        assert r.status_code == 409, r.text
        assert (r.json()["type"].split("/")[-1], r.json()["missing"]) == ("late-entry-refused", ["role"])
        # never in the future, never before the first roll year, even with a reason
        tomorrow = (clock.today() + timedelta(days=1)).isoformat()
        for held_on, status, slug in [
            (tomorrow, 422, "date-in-future"),
            ("2012-12-31", 409, "date-before-record"),
        ]:
            r = await c.post(
                url(h, "/review"), json=review | late | {"held_on": held_on}, headers=TOWN_OFFICER
            )
            assert r.status_code == status, r.text
            assert r.json()["type"].endswith("/" + slug)
        assert r.json()["not_before"] == "2013-01-01"
        r = await c.post(url(h, "/review"), json=review | late, headers=TOWN_OFFICER)
        assert r.status_code == 200, r.text
        # the paper notice keeps its order: not before the review, even with a reason
        notice_late = {"backdate_reason": NOTICE_PAPER}
        r = await c.post(
            url(h, "/notice"), json={"starts_on": days_ago(21)} | notice_late, headers=TOWN_OFFICER
        )
        assert r.status_code == 409, r.text
        assert r.json()["type"].endswith("/notice-before-review")
        r = await c.post(
            url(h, "/notice"), json={"starts_on": days_ago(19)} | notice_late, headers=TOWN_OFFICER
        )
        assert r.status_code == 200, r.text
        assert r.json()["confirmable_on"] == days_ago(12)  # its 7 days ran on paper
        r = await confirm(c, h)
        assert r.status_code == 200, r.text
        r = await c.post(url(h, "/registration"), headers=APPROVER)
        assert r.status_code == 200, r.text
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert card["status"] == "registered"
        assert (card["review_held_on"], card["notice_starts_on"]) == (days_ago(20), days_ago(19))
        assert (card["confirmed_on"], card["registered_on"]) == (days_ago(0), days_ago(0))
        steps = (await c.get(url(h, "/timeline"), headers=REGISTRAR)).json()["steps"]
        by_step = {s["step"]: s for s in steps}
        assert by_step["household.record_review"]["detail"]["review_held_on"] == days_ago(20)
        assert by_step["household.start_notice"]["detail"]["notice_starts_on"] == days_ago(19)
        entered_late = [
            (s["step"], s["on"], s["detail"]["late_entry"]) for s in steps if "late_entry" in s["detail"]
        ]
        assert [
            (step, on, e["entered_date"], e["days_late"], e["reason"]) for step, on, e in entered_late
        ] == [
            ("household.record_review", days_ago(0), days_ago(20), 20, REVIEW_PAPER),
            ("household.start_notice", days_ago(0), days_ago(19), 19, NOTICE_PAPER),
        ]


async def test_a_backdated_notice_shorter_than_seven_days_cannot_be_confirmed(make_db):
    """公示期要在7天以上 (seed 004): a paper notice pinned up 5 days ago still runs."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await _in_review(c)
        late = {"backdate_reason": "纸质记录补录"}
        r = await c.post(
            url(h, "/review"),
            json={"result": "approved", "held_on": days_ago(6)} | late,
            headers=TOWN_OFFICER,
        )
        assert r.status_code == 200, r.text
        r = await c.post(url(h, "/notice"), json={"starts_on": days_ago(5)} | late, headers=TOWN_OFFICER)
        assert r.status_code == 200, r.text
        r = await confirm(c, h)
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["type"].endswith("/public-notice-still-running")
        assert (body["min_days"], body["confirmable_on"]) == (
            7,
            (clock.today() + timedelta(days=2)).isoformat(),
        )
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "in_notice"
