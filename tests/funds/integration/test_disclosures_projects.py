"""Public notices (no login for the board) and county-approved projects paid from the pool."""

from __future__ import annotations

from datetime import date

import pytest

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from shared.clock import clock
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    registered,
    registry_event,
)
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
VILLAGE = "440783105201"
COUNTY = auth("finance", "440783000000")
TOWN = auth("finance", "440783105000")


async def test_notice_board_is_public_masked_and_closes_after_its_days(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    clock.freeze(date(2017, 3, 1))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 3))
        await open_kaiping_accounts(client)
        await kaiping_plan(client)
        r = await client.post(
            "/funds/v1/disclosures",
            json={
                "area_code": VILLAGE,
                "title": "2017年扶贫资金公示",
                "published_on": "2017-03-01",
                "notice_days": 6,
            },
            headers=FINANCE,
        )
        assert r.status_code == 422
        assert r.json()["type"].endswith("/notice-too-short")
        r = await client.post(
            "/funds/v1/disclosures",
            json={
                "area_code": VILLAGE,
                "title": "2017年扶贫资金公示",
                "published_on": "2017-03-01",
                "notice_days": 7,
            },
            headers=FINANCE,
        )
        assert r.status_code == 201
        assert r.json()["ends_on"] == "2017-03-07"
        notice_id = r.json()["id"]

        public = await client.get(f"/funds/v1/public/disclosures/{notice_id}")  # no Authorization header
        assert public.status_code == 200
        board = public.json()["content"]
        assert board["households"] == [
            {
                "head_name_masked": "李*",
                "member_count": 3,
                "entitlement_fen": yuan(60_000),
                "disbursed_fen": 0,
                # what the board prints for the villagers: the amounts in 元
                "entitlement_fen_label": "60,000.00元",
                "disbursed_fen_label": "0.00元",
            }
        ]
        assert board["village_funds"]["planned_fen_label"].endswith("元")
        assert "hh-a" not in public.text
        assert "objections" not in public.json()

        obj = await client.post(
            f"/funds/v1/disclosures/{notice_id}/objections",
            json={"text": "人数不对"},
            headers=auth("cadre", VILLAGE),
        )
        assert obj.status_code == 201
        assert (obj.json()["status"], obj.json()["status_label"]) == ("open", "待处理")
        clock.freeze(date(2017, 3, 7))
        assert (
            await client.post(f"/funds/v1/disclosures/{notice_id}/close", headers=FINANCE)
        ).status_code == 409
        clock.freeze(date(2017, 3, 8))
        late = await client.post(
            f"/funds/v1/disclosures/{notice_id}/objections",
            json={"text": "晚了"},
            headers=auth("cadre", VILLAGE),
        )
        assert late.status_code == 409
        assert late.json()["detail"] == "公示期内才能提出异议；该公示当前状态：公示期满"  # not "ended"
        unresolved = await client.post(f"/funds/v1/disclosures/{notice_id}/close", headers=FINANCE)
        assert unresolved.status_code == 409
        assert unresolved.json()["type"].endswith("/objections-unresolved")
        resolved = await client.post(
            f"/funds/v1/disclosures/{notice_id}/objections/{obj.json()['id']}/resolve",
            json={"resolution": "核实无误"},
            headers=FINANCE,
        )
        assert resolved.json()["status_label"] == "已处理"
        closed = await client.post(f"/funds/v1/disclosures/{notice_id}/close", headers=FINANCE)
        assert closed.status_code == 200
        assert (closed.json()["state"], closed.json()["state_label"]) == ("closed", "已结束")
        listed = await client.get("/funds/v1/public/disclosures", params={"area_code": VILLAGE})
        assert [n["objections_resolved"] for n in listed.json()["items"]] == [1]
        # A town or county notice board lists its villages' notices; another county's does not.
        county = await client.get("/funds/v1/public/disclosures", params={"area_code": "440783000000"})
        assert len(county.json()["items"]) == 1
        other = await client.get("/funds/v1/public/disclosures", params={"area_code": "350521000000"})
        assert other.json()["items"] == []


async def test_projects_are_approved_by_the_county_and_paid_within_budget(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await client.post(
            "/funds/v1/accounts",
            json={
                "code": "kaiping-integrated-pool",
                "name": "开平市统筹整合资金",
                "area_code": "440783000000",
                "kind": "holding",
            },
            headers=COUNTY,
        )
        for source in ("agri-fund", "water-fund"):  # many channels in ...
            await client.post(
                "/funds/v1/accounts",
                json={"code": source, "name": source, "area_code": "440783000000", "kind": "source"},
                headers=COUNTY,
            )
            await client.post(
                "/funds/v1/ledger/transfers",
                json={
                    "kind": "receipt",
                    "from_account": source,
                    "to_account": "kaiping-integrated-pool",
                    "amount_fen": yuan(300_000),
                },
                headers=COUNTY,
            )
        r = await client.post(
            "/funds/v1/projects",
            json={
                "name": "步栏村饮水安全工程",
                "area_code": VILLAGE,
                "category": "infrastructure",
                "budget_fen": yuan(500_000),
                "funding_account": "kaiping-integrated-pool",
            },
            headers=TOWN,
        )
        assert r.status_code == 404  # the pool is the county's, not the town's
        r = await client.post(
            "/funds/v1/projects",
            json={
                "name": "步栏村饮水安全工程",
                "area_code": VILLAGE,
                "category": "infrastructure",
                "budget_fen": yuan(500_000),
                "funding_account": "kaiping-integrated-pool",
            },
            headers=COUNTY,
        )
        project = r.json()["id"]
        pay = {
            "beneficiary_kind": "project",
            "beneficiary_id": project,
            "amount_fen": yuan(100_000),
            "from_account": "kaiping-integrated-pool",
        }
        assert (
            await client.post("/funds/v1/disbursements", json=pay, headers=COUNTY)
        ).status_code == 409  # proposed

        town_approval = await client.post(
            f"/funds/v1/projects/{project}/status",
            json={"status": "approved"},
            headers={**auth("finance", "440783105000"), "If-Match": '"1"'},
        )
        assert town_approval.status_code == 403
        assert town_approval.json()["type"].endswith("/approval-needs-county")
        status_url = f"/funds/v1/projects/{project}/status"
        blind = await client.post(status_url, json={"status": "approved"}, headers=COUNTY)
        assert blind.status_code == 428  # updates must say which version they read
        read = await client.get(f"/funds/v1/projects/{project}", headers=COUNTY)
        approved = await client.post(
            status_url, json={"status": "approved"}, headers={**COUNTY, "If-Match": read.headers["etag"]}
        )
        assert approved.json()["status"] == "approved"
        stale = await client.post(
            status_url, json={"status": "cancelled"}, headers={**COUNTY, "If-Match": read.headers["etag"]}
        )
        assert stale.status_code == 412
        # ... one tap out, within the approved budget
        assert (
            await client.post(
                "/funds/v1/disbursements", json={**pay, "amount_fen": yuan(500_000)}, headers=COUNTY
            )
        ).status_code == 201
        over = await client.post("/funds/v1/disbursements", json={**pay, "amount_fen": 1}, headers=COUNTY)
        assert over.status_code == 409
        assert over.json()["type"].endswith("/entitlement-exceeded")
        done = await client.post(
            status_url, json={"status": "completed"}, headers={**COUNTY, "If-Match": approved.headers["etag"]}
        )
        assert done.status_code == 409  # approved -> in_progress first


async def test_a_publication_date_cannot_cheat_the_notice_period(make_db) -> None:  # type: ignore[no-untyped-def]
    """Not in the future (China date); more than 3 days back only with a reason and an approver,
    and then the public board says so."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    clock.freeze(date(2017, 3, 10))  # the autouse fixture thaws it
    body = {"area_code": VILLAGE, "title": "2017年扶贫资金公示", "notice_days": 7}
    async with service_client(app) as client:
        r = await client.post(
            "/funds/v1/disclosures", json=body | {"published_on": "2017-03-11"}, headers=FINANCE
        )
        assert r.status_code == 422
        assert r.json()["type"].endswith("/date-in-future")
        r = await client.post(
            "/funds/v1/disclosures", json=body | {"published_on": "2017-03-07"}, headers=FINANCE
        )
        assert r.status_code == 201, r.text  # 3 days back: an ordinary entry
        assert r.json()["late_entry"] is None
        assert r.json()["state"] == "running"
        # 9 days back: the notice would be over the moment it is entered
        back = body | {"published_on": "2017-03-01"}
        r = await client.post("/funds/v1/disclosures", json=back, headers=FINANCE)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/late-entry-refused")
        assert r.json()["missing"] == ["reason", "role"]
        reason = {"backdate_reason": "公示栏3月1日已张贴，系统录入延误"}
        r = await client.post("/funds/v1/disclosures", json=back | reason, headers=FINANCE)
        assert r.json()["missing"] == ["role"]
        officer = auth(["finance", "approver"], "440783000000", sub="county-officer")
        r = await client.post("/funds/v1/disclosures", json=back | reason, headers=officer)
        assert r.status_code == 201, r.text
        public = (await client.get(f"/funds/v1/public/disclosures/{r.json()['id']}")).json()
        assert public["late_entry"] == {
            "entered_date": "2017-03-01",
            "recorded_on": "2017-03-10",
            "days_late": 9,
            "reason": "公示栏3月1日已张贴，系统录入延误",
        }


async def test_the_board_lists_the_villages_poor_households_not_its_candidates(make_db) -> None:  # type: ignore[no-untyped-def]
    """A household still being identified (in its public notice) or removed from the roll is not a
    poor household of the village: the funds notice must not list it (it showed as a nameless row);
    one that was paid before it was removed stays, since the money did reach it."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    clock.freeze(date(2017, 3, 1))
    async with service_client(app) as client:
        await deliver(app.state.db, registered("hh-a", 3))
        notice = {"status": "in_notice", "change": "notice_started", "member_count": 2}
        for type_, household_id, data in (
            ("registry.household.updated.v1", "hh-notice", notice),
            ("registry.household.removed.v1", "hh-gone", {"reason": "核实不符合条件"}),
        ):
            event_data = {"household_id": household_id, "area_code": VILLAGE, **data}
            await deliver(app.state.db, registry_event(type_, household_id, event_data))
        r = await client.post(
            "/funds/v1/disclosures",
            json={
                "area_code": VILLAGE,
                "title": "2017年扶贫资金公示",
                "published_on": "2017-03-01",
                "notice_days": 7,
            },
            headers=FINANCE,
        )
        assert r.status_code == 201, r.text
        board = (await client.get(f"/funds/v1/public/disclosures/{r.json()['id']}")).json()["content"]
        assert [(h["head_name_masked"], h["member_count"]) for h in board["households"]] == [("李*", 3)]


async def test_a_projects_category_and_status_read_in_chinese_on_the_board_and_in_the_office(make_db) -> None:  # type: ignore[no-untyped-def]
    """The village board printed 'industry' for a project (English on a Chinese notice board); the
    clerk may type the Chinese (产业扶贫) and it counts as the industry project the seed asks for."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    clock.freeze(date(2017, 3, 1))
    async with service_client(app) as client:
        pool = {"code": "kaiping-integrated-pool", "name": "开平市统筹整合资金", "area_code": "440783000000"}
        assert (
            await client.post("/funds/v1/accounts", json={**pool, "kind": "专户（资金池）"}, headers=COUNTY)
        ).json()["kind_label"] == "专户（资金池）"
        project = {"area_code": VILLAGE, "budget_fen": yuan(200_000), "funding_account": pool["code"]}
        chickens = await client.post(
            "/funds/v1/projects", json={**project, "name": "养鸡", "category": "产业扶贫"}, headers=COUNTY
        )
        assert chickens.status_code == 201, chickens.text
        made = chickens.json()
        assert (made["category"], made["category_label"]) == ("industry", "产业扶贫")
        assert made["status_label"] == "拟立项"
        own_word = await client.post(
            "/funds/v1/projects", json={**project, "name": "修桥", "category": "桥梁"}, headers=COUNTY
        )
        assert (own_word.json()["category"], own_word.json()["category_label"]) == ("桥梁", "桥梁")

        notice = await client.post(
            "/funds/v1/disclosures",
            json={"area_code": VILLAGE, "title": "公示", "published_on": "2017-03-01", "notice_days": 7},
            headers=FINANCE,
        )
        assert notice.json()["state_label"] == "公示中"
        board = (await client.get(f"/funds/v1/public/disclosures/{notice.json()['id']}")).json()
        shown = {p["name"]: (p["category_label"], p["status_label"]) for p in board["content"]["projects"]}
        assert shown == {"养鸡": ("产业扶贫", "拟立项"), "修桥": ("桥梁", "拟立项")}
