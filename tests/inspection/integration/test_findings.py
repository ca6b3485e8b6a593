"""Inspections, findings, rectification, verification and escalation on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.inspection.findings.jobs import escalate
from shared.clock import clock
from shared.tables import audit_log, outbox
from tests.inspection.integration.helpers import VILLAGE, app_for, finding_row
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
INSPECTOR = auth("inspector", COUNTY, sub="inspector-zhao")
VILLAGE_CADRE = auth("cadre", VILLAGE, sub="cadre-li")


def plan(**kw):  # type: ignore[no-untyped-def]
    today = clock.today()
    body = {
        "kind": "unannounced",
        "title": "March unannounced visit",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=2)).isoformat(),
        "target_areas": [VILLAGE],
        "team": [{"name": "Inspector Zhao", "role": "leader"}, {"name": "Deputy Qian", "role": "npc_deputy"}],
    }
    body.update(kw)
    return body


def finding(**kw):  # type: ignore[no-untyped-def]
    body = {
        "area_code": VILLAGE,
        "category": "policy_not_delivered",
        "severity": "high",
        "title": "Housing subsidy not paid to two households",
        "responsible_unit": "Township poverty station",
        "responsible_person": "Station chief Sun",
    }
    body.update(kw)
    return body


async def _outbox(app, type_: str) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        return [
            r["data"]
            for r in (await s.execute(select(outbox.c.envelope).where(outbox.c.type == type_))).scalars()
        ]


async def test_unannounced_inspection_is_hidden_from_the_village_until_concluded(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        r = await c.post("/inspection/v1/inspections", json=plan(), headers=INSPECTOR)
        assert r.status_code == 201, r.text
        iid = r.json()["id"]
        # the inspection's way, status and team roles as the clerk reads them, beside their codes
        assert (r.json()["kind"], r.json()["kind_label"]) == ("unannounced", "暗访")
        assert (r.json()["status"], r.json()["status_label"]) == ("planned", "计划中")
        assert [(m["role"], m["role_label"]) for m in r.json()["team"]] == [
            ("leader", "组长"),
            ("npc_deputy", "人大代表"),
        ]
        assert (await c.get(f"/inspection/v1/inspections/{iid}", headers=VILLAGE_CADRE)).status_code == 404
        assert (await c.get("/inspection/v1/inspections", headers=VILLAGE_CADRE)).json()["items"] == []
        r = await c.post(f"/inspection/v1/inspections/{iid}/conclusion", headers=INSPECTOR)
        assert r.json()["status"] == "concluded"
        assert r.json()["status_label"] == "已结束"
        assert (await c.get(f"/inspection/v1/inspections/{iid}", headers=VILLAGE_CADRE)).status_code == 200
        # a concluded inspection takes no more findings
        r = await c.post(f"/inspection/v1/inspections/{iid}/findings", json=finding(), headers=INSPECTOR)
        assert r.status_code == 409


async def test_bad_plans_and_roles_are_refused(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        r = await c.post(
            "/inspection/v1/inspections", json=plan(target_areas=["350502101001"]), headers=INSPECTOR
        )
        assert r.status_code == 404  # an area outside the inspector's: not found there
        assert r.headers["content-type"] == "application/problem+json"
        r = await c.post("/inspection/v1/inspections", json=plan(), headers=VILLAGE_CADRE)
        assert r.status_code == 403
        assert (await c.get("/inspection/v1/inspections", headers=INSPECTOR)).json()["items"] == []


async def test_finding_rectified_rejected_resubmitted_and_verified(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        iid = (
            await c.post("/inspection/v1/inspections", json=plan(kind="announced"), headers=INSPECTOR)
        ).json()["id"]
        r = await c.post(f"/inspection/v1/inspections/{iid}/findings", json=finding(), headers=INSPECTOR)
        assert r.status_code == 201, r.text
        f = r.json()
        assert f["deadline"] == (clock.today() + timedelta(days=15)).isoformat()  # high severity: 15 days
        assert f["status"] == "open"
        assert f["overdue"] is False
        # each code with the Chinese a clerk reads (GET /inspection/v1/vocabulary's words)
        labels = (f["category_label"], f["severity_label"], f["status_label"])
        assert labels == ("政策落实不到位", "严重", "待整改")
        listed = (await c.get("/inspection/v1/findings", headers=INSPECTOR)).json()["items"]
        assert [(x["category"], x["category_label"], x["status_label"]) for x in listed] == [
            ("policy_not_delivered", "政策落实不到位", "待整改")
        ]
        # outside the target area: refused, nothing saved
        r = await c.post(
            f"/inspection/v1/inspections/{iid}/findings",
            json=finding(area_code="620521102301"),
            headers=INSPECTOR,
        )
        assert r.status_code == 422
        # verifying before any report is a refused transition
        url = f"/inspection/v1/findings/{f['id']}"
        r = await c.post(f"{url}/verification", json={"accepted": True}, headers=INSPECTOR)
        assert r.status_code == 409
        report = {
            "report": "Subsidy paid on 3 March",
            "evidence": [{"description": "bank slip", "reference": "BS-1"}],
        }
        r = await c.post(f"{url}/rectifications", json=report, headers=VILLAGE_CADRE)
        assert r.status_code == 201
        assert r.json()["status"] == "submitted"
        # the cadre cannot verify their own work
        assert (
            await c.post(f"{url}/verification", json={"accepted": True}, headers=VILLAGE_CADRE)
        ).status_code == 403
        r = await c.post(
            f"{url}/verification",
            json={"accepted": False, "note": "slip covers one household"},
            headers=INSPECTOR,
        )
        assert r.status_code == 200
        assert r.json()["status"] == "open"
        assert r.json()["rectifications"][0]["outcome"] == "rejected"
        await c.post(f"{url}/rectifications", json=report, headers=VILLAGE_CADRE)
        r = await c.post(f"{url}/verification", json={"accepted": True}, headers=INSPECTOR)
        assert r.json()["status"] == "verified"
        assert [x["outcome"] for x in r.json()["rectifications"]] == ["rejected", "accepted"]
        assert len(await _outbox(app, "inspection.finding.raised.v1")) == 1
        assert (await _outbox(app, "inspection.finding.rectified.v1"))[0]["finding_id"] == f["id"]
        # another county's inspector sees nothing of it
        other = auth("inspector", "620522000000")
        assert (await c.get(url, headers=other)).status_code == 404


async def test_overdue_finding_escalates_by_itself_once_per_step(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        iid = (
            await c.post("/inspection/v1/inspections", json=plan(kind="announced"), headers=INSPECTOR)
        ).json()["id"]
        today = clock.today()
        f = (
            await c.post(
                f"/inspection/v1/inspections/{iid}/findings",
                json=finding(deadline=(today + timedelta(days=1)).isoformat()),
                headers=INSPECTOR,
            )
        ).json()
        from datetime import UTC, datetime, time

        def at(d: date) -> datetime:
            return datetime.combine(d, time(3, 0), tzinfo=UTC)  # 11:00 in Beijing

        deadline = date.fromisoformat(f["deadline"])
        assert await escalate(app.state.db, at(deadline)) == 0  # the deadline day itself is not late
        assert await escalate(app.state.db, at(deadline + timedelta(days=1))) == 1
        assert await escalate(app.state.db, at(deadline + timedelta(days=1))) == 0  # run again: nothing new
        assert await escalate(app.state.db, at(deadline + timedelta(days=30))) == 2
        r = await c.get("/inspection/v1/accountability", headers=INSPECTOR)
        kinds = [x["kind"] for x in r.json()["items"]]
        assert kinds == ["bulletin", "admonishment_interview", "discipline_referral"]
        # one kind, by its code or by the word a bulletin prints
        for kind in ("约谈", "admonishment_interview", " 约谈 "):
            one = await c.get("/inspection/v1/accountability", params={"kind": kind}, headers=INSPECTOR)
            assert [x["kind"] for x in one.json()["items"]] == ["admonishment_interview"], one.text
        # a kind on no list is refused naming the kinds, not answered with an empty page
        for kind in ("警告", "warning"):
            bad = await c.get("/inspection/v1/accountability", params={"kind": kind}, headers=INSPECTOR)
            assert bad.status_code == 422, bad.text
            assert "查询参数类别应为以下之一：通报、约谈、移交纪检监察" in bad.json()["detail"]
        assert [x["subject"] for x in r.json()["items"]] == [
            "Township poverty station",
            "Station chief Sun (Township poverty station)",
            "Station chief Sun (Township poverty station)",
        ]
        assert len(await _outbox(app, "inspection.accountability.recorded.v1")) == 3
        late = date.fromisoformat(r.json()["items"][0]["issued_on"]) - deadline
        assert r.json()["items"][0]["reason"] == (
            f"“{f['title']}”整改逾期{late.days}天（整改期限{deadline.isoformat()}）"
        )
        detail = (await c.get(f"/inspection/v1/findings/{f['id']}", headers=INSPECTOR)).json()
        assert len(detail["accountability"]) == 3
        async with app.state.db.transaction() as s:
            n = len(
                (
                    await s.execute(select(audit_log).where(audit_log.c.action == "accountability.recorded"))
                ).all()
            )
        assert n == 3


async def test_rectification_filed_on_time_does_not_escalate(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        iid = (
            await c.post("/inspection/v1/inspections", json=plan(kind="announced"), headers=INSPECTOR)
        ).json()["id"]
        f = (
            await c.post(f"/inspection/v1/inspections/{iid}/findings", json=finding(), headers=INSPECTOR)
        ).json()
        report = {"report": "done", "evidence": [{"description": "photo", "reference": "P-1"}]}
        await c.post(f"/inspection/v1/findings/{f['id']}/rectifications", json=report, headers=VILLAGE_CADRE)
        from datetime import UTC, datetime

        later = datetime.now(UTC) + timedelta(days=60)
        assert await escalate(app.state.db, later) == 0


async def test_fake_rectification_is_referred_for_discipline_at_once(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        iid = (
            await c.post("/inspection/v1/inspections", json=plan(kind="announced"), headers=INSPECTOR)
        ).json()["id"]
        f = (
            await c.post(f"/inspection/v1/inspections/{iid}/findings", json=finding(), headers=INSPECTOR)
        ).json()
        url = f"/inspection/v1/findings/{f['id']}"
        report = {"report": "Houses repaired", "evidence": [{"description": "photo", "reference": "P-7"}]}
        await c.post(f"{url}/rectifications", json=report, headers=VILLAGE_CADRE)
        r = await c.post(
            f"{url}/verification",
            json={"accepted": False, "fake": True, "note": "photos show another village"},
            headers=INSPECTOR,
        )
        assert r.status_code == 200
        assert r.json()["status"] == "open"
        [record] = r.json()["accountability"]
        assert record["kind"] == "discipline_referral"
        assert record["subject"] == "Station chief Sun (Township poverty station)"
        # in the words the monthly bulletin prints (its 问责原因 column), not English
        assert (
            record["reason"]
            == "“Housing subsidy not paid to two households”的整改弄虚作假：photos show another village"
        )
        assert record["kind_label"] == "移交纪检监察"
        assert r.json()["rectifications"][0]["outcome_label"] == "不予验收"
        assert len(await _outbox(app, "inspection.accountability.recorded.v1")) == 1


async def test_announced_township_inspection_is_seen_by_its_villages_not_by_others(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        township = VILLAGE[:9] + "000"
        r = await c.post(
            "/inspection/v1/inspections",
            json=plan(kind="announced", target_areas=[township]),
            headers=INSPECTOR,
        )
        assert r.status_code == 201
        seen = (await c.get("/inspection/v1/inspections", headers=VILLAGE_CADRE)).json()["items"]
        assert [i["id"] for i in seen] == [r.json()["id"]]
        elsewhere = auth("cadre", "620521102301")
        assert (await c.get("/inspection/v1/inspections", headers=elsewhere)).json()["items"] == []


async def test_two_escalation_runs_at_once_record_each_step_once(make_db) -> None:
    import asyncio
    from datetime import UTC, datetime, time

    app = app_for(make_db)
    async with service_client(app) as c:
        iid = (
            await c.post("/inspection/v1/inspections", json=plan(kind="announced"), headers=INSPECTOR)
        ).json()["id"]
        for n in range(3):
            body = finding(title=f"Problem {n}", deadline=(clock.today() + timedelta(days=1)).isoformat())
            assert (
                await c.post(f"/inspection/v1/inspections/{iid}/findings", json=body, headers=INSPECTOR)
            ).status_code == 201
        later = datetime.combine(clock.today() + timedelta(days=40), time(3, 0), tzinfo=UTC)
        counts = await asyncio.gather(escalate(app.state.db, later), escalate(app.state.db, later))
        assert sum(counts) == 9  # 3 findings x 3 steps, shared between the two runs
        items = (await c.get("/inspection/v1/accountability", headers=INSPECTOR)).json()["items"]
        assert len(items) == 9


async def test_escalation_walks_past_findings_that_have_every_step_already(make_db) -> None:
    from datetime import UTC, datetime, time

    app = app_for(make_db)
    async with service_client(app) as c:
        iid = (
            await c.post("/inspection/v1/inspections", json=plan(kind="announced"), headers=INSPECTOR)
        ).json()["id"]
        for n in range(5):
            body = finding(title=f"Old problem {n}", deadline=(clock.today() + timedelta(days=1)).isoformat())
            await c.post(f"/inspection/v1/inspections/{iid}/findings", json=body, headers=INSPECTOR)
        much_later = datetime.combine(clock.today() + timedelta(days=40), time(3, 0), tzinfo=UTC)
        assert await escalate(app.state.db, much_later, batch=2) == 15  # 5 findings x 3 steps, 2 per batch
        late_one = finding(title="New problem", deadline=(clock.today() + timedelta(days=20)).isoformat())
        await c.post(f"/inspection/v1/inspections/{iid}/findings", json=late_one, headers=INSPECTOR)
        # the 5 fully escalated findings come first in deadline order; the new one is still reached
        assert await escalate(app.state.db, much_later, batch=2) == 2  # bulletin + interview (20 days late)


async def test_the_app_escalates_on_its_own(make_db) -> None:
    from services.inspection.app import create_app
    from services.inspection.settings import InspectionSettings
    from shared.db import Database
    from tests.support import settings_for, wait_for

    url = make_db("inspection")
    db = Database(url)
    async with db.transaction() as s:  # a finding a month past its deadline, made before start-up
        s.add(
            finding_row(
                clock.today() - timedelta(days=60),
                clock.today() - timedelta(days=31),
                severity="low",
                title="Late",
            )
        )
    await db.dispose()
    app = create_app(settings_for(InspectionSettings, url, run_jobs=True))
    async with service_client(app) as c:

        async def recorded() -> list:
            return (await c.get("/inspection/v1/accountability", headers=INSPECTOR)).json()["items"]

        items = await wait_for(recorded, what="the periodic job escalated the late finding")
        assert [i["kind"] for i in items] == ["bulletin", "admonishment_interview", "discipline_referral"]


async def test_overdue_filter_matches_the_overdue_flag(make_db) -> None:
    app = app_for(make_db)
    today = clock.today()
    cases = {  # title -> (status, deadline offset, report offset)
        "late open": ("open", -3, None),
        "late report": ("submitted", -3, -1),
        "report on time": ("submitted", -3, -5),
        "verified": ("verified", -3, -5),
        "due today": ("open", 0, None),
    }
    async with service_client(app) as c:
        async with app.state.db.transaction() as s:
            for title, (status, due, report) in cases.items():
                s.add(
                    finding_row(
                        today - timedelta(days=30),
                        today + timedelta(days=due),
                        status,
                        severity="low",
                        title=title,
                        submitted_on=today + timedelta(days=report) if report is not None else None,
                    )
                )
        every = (await c.get("/inspection/v1/findings", headers=INSPECTOR)).json()["items"]
        late = (await c.get("/inspection/v1/findings?overdue=true", headers=INSPECTOR)).json()["items"]
        assert sorted(f["title"] for f in late) == ["late open", "late report"]
        assert sorted(f["title"] for f in every if f["overdue"]) == ["late open", "late report"]


async def test_an_inspection_still_to_come_in_china_takes_no_finding_and_does_not_conclude(make_db) -> None:
    """At 03:00 on 6 December in China (UTC: the 5th) an inspection planned from the 7th has found
    nothing yet: a finding raised now would be dated before the visit, and so would its conclusion.
    Both 409 inspection-not-started, nothing stored; from the 7th (China date) both go through."""
    app = app_for(make_db)
    async with service_client(app) as c:
        with clock.frozen(datetime(2026, 12, 5, 19, 0, tzinfo=UTC)):
            r = await c.post(
                "/inspection/v1/inspections",
                json=plan(starts_on="2026-12-07", ends_on="2026-12-09"),
                headers=INSPECTOR,
            )
            iid = r.json()["id"]
            found = await c.post(
                f"/inspection/v1/inspections/{iid}/findings", json=finding(), headers=INSPECTOR
            )
            ended = await c.post(f"/inspection/v1/inspections/{iid}/conclusion", headers=INSPECTOR)
            for refused in (found, ended):
                assert refused.status_code == 409, refused.text
                assert refused.json()["type"].endswith("/inspection-not-started")
                assert "督查 2026-12-07 才开始（今天是北京时间 2026-12-06）" in refused.json()["detail"]
            assert (await c.get("/inspection/v1/findings", headers=INSPECTOR)).json()["items"] == []
            got = await c.get(f"/inspection/v1/inspections/{iid}", headers=INSPECTOR)
            assert got.json()["status"] == "planned"
        with clock.frozen(datetime(2026, 12, 6, 16, 0, tzinfo=UTC)):  # 00:00 on the 7th in China
            r = await c.post(f"/inspection/v1/inspections/{iid}/findings", json=finding(), headers=INSPECTOR)
            assert (r.status_code, r.json()["raised_on"]) == (201, "2026-12-07")
            ended = await c.post(f"/inspection/v1/inspections/{iid}/conclusion", headers=INSPECTOR)
            assert (ended.status_code, ended.json()["concluded_on"]) == (200, "2026-12-07")
