"""The 12317 line on real PostgreSQL: anonymity, who sees the complainant, flow, deadlines, statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.inspection.models import Complaint
from shared.clock import clock
from shared.tables import audit_log
from tests.inspection.integration.helpers import VILLAGE, app_for
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
HANDLER = auth("complaint_handler", COUNTY, sub="handler-wu")
INSPECTOR = auth("inspector", COUNTY, sub="inspector-zhao")


def complaint(**kw):  # type: ignore[no-untyped-def]
    body = {
        "area_code": VILLAGE,
        "category": "funds",
        "summary": "Subsidy withheld by village accountant",
        "details": "Paid 800 yuan of 1,500",
        "anonymous": False,
        "complainant": {"name": "测试投诉人", "phone": "13800000000"},
    }
    body.update(kw)
    return body


async def test_named_complainant_is_seen_only_by_the_handler(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        r = await c.post("/inspection/v1/complaints", json=complaint(), headers=INSPECTOR)
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        assert r.json()["complainant"] is None  # the inspector who took the call does not see it back
        seen = (await c.get(f"/inspection/v1/complaints/{cid}", headers=HANDLER)).json()
        assert seen["complainant"] == {"name": "测试投诉人", "phone": "13800000000"}
        assert (await c.get(f"/inspection/v1/complaints/{cid}", headers=INSPECTOR)).json()[
            "complainant"
        ] is None
        assert (await c.get(f"/inspection/v1/complaints/{cid}", headers=auth("auditor", COUNTY))).json()[
            "complainant"
        ] is None
        listed = (await c.get("/inspection/v1/complaints", headers=HANDLER)).json()["items"]
        assert listed[0]["complainant"] is None
        assert (
            await c.get(f"/inspection/v1/complaints/{cid}", headers=auth("cadre", VILLAGE))
        ).status_code == 403
        async with app.state.db.transaction() as s:
            row = (await s.execute(select(Complaint))).scalar_one()
            reads = (
                await s.execute(select(audit_log).where(audit_log.c.action == "complaint.complainant_read"))
            ).all()
            texts = " ".join(str(a.after) for a in (await s.execute(select(audit_log))).all())
        assert "测试投诉人" not in row.complainant_name_enc  # stored encrypted
        assert len(reads) == 1
        assert "测试投诉人" not in texts


async def test_anonymous_and_malformed_intake(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        r = await c.post(
            "/inspection/v1/complaints", json=complaint(anonymous=True, complainant=None), headers=HANDLER
        )
        assert r.status_code == 201
        assert r.json()["anonymous"] is True
        both = await c.post("/inspection/v1/complaints", json=complaint(anonymous=True), headers=HANDLER)
        assert both.status_code == 422
        # why, in the clerk's words (was: 取值不对：an anonymous complaint carries no complainant)
        assert "匿名举报不填写举报人" in both.json()["detail"]
        assert "anonymous" not in both.json()["detail"]
        en = await c.post(
            "/inspection/v1/complaints",
            json=complaint(anonymous=True),
            headers={**HANDLER, "Accept-Language": "en"},
        )
        assert "an anonymous complaint carries no complainant" in en.json()["detail"]
        assert (
            await c.post("/inspection/v1/complaints", json=complaint(category="gossip"), headers=HANDLER)
        ).status_code == 422
        r = await c.post(
            "/inspection/v1/complaints", json=complaint(area_code="350502101001"), headers=HANDLER
        )
        assert r.status_code == 404  # outside the handler's area: not found there
        assert len((await c.get("/inspection/v1/complaints", headers=HANDLER)).json()["items"]) == 1


async def test_triage_assign_resolve_and_statistics(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        ids = [
            (await c.post("/inspection/v1/complaints", json=complaint(category=cat), headers=HANDLER)).json()[
                "id"
            ]
            for cat in ("funds", "exit", "other")
        ]
        url = "/inspection/v1/complaints/{}/{}".format
        # only the handler moves a complaint; the inspector is told so in words, not by a role code
        refused = await c.post(url(ids[0], "triage"), json={"urgency": "urgent"}, headers=INSPECTOR)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/complaint-handler-only")
        assert "须由12317举报承办人办理" in refused.json()["detail"]
        assert "complaint_handler" not in refused.json()["detail"]
        assert refused.json()["required_roles"] == ["complaint_handler"]  # for the administrator
        r = await c.post(url(ids[0], "triage"), json={"urgency": "urgent"}, headers=HANDLER)
        assert r.json()["deadline"] == (clock.today() + timedelta(days=7)).isoformat()
        # resolving before assignment is a refused transition
        assert (
            await c.post(url(ids[0], "resolution"), json={"resolution": "x"}, headers=HANDLER)
        ).status_code == 409
        await c.post(
            url(ids[0], "assignment"), json={"assignee": "County discipline office"}, headers=HANDLER
        )
        r = await c.post(url(ids[0], "resolution"), json={"resolution": "700 yuan repaid"}, headers=HANDLER)
        assert r.json()["status"] == "resolved"
        assert r.json()["overdue"] is False
        await c.post(url(ids[1], "triage"), json={"urgency": "normal"}, headers=HANDLER)
        assert (
            await c.post(url(ids[2], "triage"), json={"urgency": "whenever"}, headers=HANDLER)
        ).status_code == 422
        await c.post(
            url(ids[2], "dismissal"), json={"reason": "not a poverty-alleviation matter"}, headers=HANDLER
        )
        stats = (await c.get("/inspection/v1/complaints/statistics", headers=INSPECTOR)).json()
        assert stats["total"] == 3
        assert stats["by_status"] == {"dismissed": 1, "resolved": 1, "triaged": 1}
        assert stats["by_category"] == {"exit": 1, "funds": 1, "other": 1}
        assert (stats["resolved"], stats["resolved_on_time"], stats["overdue"]) == (1, 1, 0)
        other = (
            await c.get("/inspection/v1/complaints/statistics", headers=auth("inspector", "620522000000"))
        ).json()
        assert other["total"] == 0
        # a range that ends before it starts counts no day: bad input named as such, not a report of 0
        reversed_range = "/inspection/v1/complaints/statistics?since=2026-12-31&until=2026-12-01"
        r = await c.get(reversed_range, headers=INSPECTOR)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "统计截止日期 2026-12-01 早于起始日期 2026-12-31" in r.json()["detail"]


async def test_a_complaint_reads_in_chinese_beside_its_codes(make_db) -> None:
    """Found running the system (stop 26): a complaint answered category "funds", status "received"
    and urgency "urgent" with no Chinese, while findings carried their labels."""
    app = app_for(make_db)
    async with service_client(app) as c:
        r = await c.post(
            "/inspection/v1/complaints", json=complaint(category="截留挪用、虚报冒领"), headers=HANDLER
        )
        assert r.status_code == 201, r.text
        made = r.json()
        assert (made["category_label"], made["status_label"], made["urgency_label"]) == (
            "截留挪用、虚报冒领",
            "已受理",
            None,
        )
        r = await c.post(
            f"/inspection/v1/complaints/{made['id']}/triage", json={"urgency": "紧急"}, headers=HANDLER
        )
        assert (r.json()["status_label"], r.json()["urgency_label"]) == ("已分级", "紧急")
        listed = await c.get("/inspection/v1/complaints", headers=HANDLER)
        assert [i["status_label"] for i in listed.json()["items"]] == ["已分级"]


async def test_a_call_is_dated_by_chinas_day_and_never_after_it(make_db) -> None:
    """At 01:30 in Beijing (UTC still the day before) the line takes a call "today" = China's date;
    a received date after that day is refused as for every other typed date (was: stored as given,
    so its deadline and the statistics counted from a day that had not come)."""
    app = app_for(make_db)
    with clock.frozen(datetime(2026, 12, 5, 17, 30, tzinfo=UTC)):
        async with service_client(app) as c:
            r = await c.post("/inspection/v1/complaints", json=complaint(), headers=HANDLER)
            assert r.json()["received_on"] == "2026-12-06"
            typed = await c.post(
                "/inspection/v1/complaints", json=complaint(received_on="2026-12-06"), headers=HANDLER
            )
            assert typed.status_code == 201, typed.text
            ahead = await c.post(
                "/inspection/v1/complaints", json=complaint(received_on="2026-12-07"), headers=HANDLER
            )
            assert ahead.status_code == 422, ahead.text
            assert ahead.json()["type"].endswith("/date-in-future")
            assert ahead.json()["today"] == "2026-12-06"
            assert "受理日期 2026-12-07 晚于今天（北京时间 2026-12-06）" in ahead.json()["detail"]
            assert len((await c.get("/inspection/v1/complaints", headers=HANDLER)).json()["items"]) == 2
