"""Issue 10 items 2, 3, 5, 6, 7 in the registry, over HTTP on real PostgreSQL: each area's own
comparison with the seed's words, pairing villages as a flag, the household's own signature,
relapse routes by cause, and policies kept for a period counted from the exit."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.registry.consumers import HANDLERS
from shared.clock import clock
from shared.events.consumer import handle_event
from shared.policy_documents import GANSU_QINBA_PLAN
from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
    ADMIN,
    REGISTRAR,
    VILLAGE,
    candidate,
    head_signature,
    household_token,
    identify,
    load_areas,
    member,
    on_day,
    person_id,
    registered,
    registry_app,
)
from tests.registry.integration.test_exits_and_relapse import (
    ALL_NEEDS,
    exited_household,
    make_eligible,
    verdict,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio

GANSU_VILLAGE, GANSU_TOWN = "620521101201", "620521101000"
GANSU_REGISTRAR = auth("registrar", GANSU_VILLAGE)
GANSU_AREAS = [
    {"code": "620000000000", "name": "甘肃省"},
    {"code": "620500000000", "name": "天水市"},
    {"code": "620521000000", "name": "清水县", "rural_population": 1_000},
    {"code": GANSU_TOWN, "name": "合成乡", "synthetic_code": True},
    {"code": GANSU_VILLAGE, "name": "合成村", "rural_population": 500, "synthetic_code": True},
]


def url(h: dict[str, Any], path: str = "") -> str:
    return f"/registry/v1/households/{h['id']}{path}"


async def _events(app: Any, type_: str) -> list[dict[str, Any]]:
    async with app.state.db.transaction() as s:
        rows = (await s.execute(select(outbox.c.envelope).where(outbox.c.type == type_))).scalars().all()
    return [r["data"] for r in rows]


async def _gansu_registered(c: httpx.AsyncClient) -> dict[str, Any]:
    r = await c.post(
        "/registry/v1/areas", json={"areas": GANSU_AREAS}, headers=auth("registrar", "620000000000")
    )
    assert r.status_code == 200, r.text
    body = {
        "area_code": GANSU_VILLAGE,
        "year": 2018,
        "members": [member("head"), member("spouse", name="李小红", resident_id=person_id(sex="female"))],
        "poverty_causes": ["illness"],
        "batches": ["industry"],
    }
    start = clock.today() - timedelta(days=10)
    with on_day(start - timedelta(days=1)):  # entered and reviewed 11 days ago
        r = await c.post("/registry/v1/households", json=body, headers=GANSU_REGISTRAR)
        assert r.status_code == 201, r.text
        h = r.json()
    await identify(c, h, clerk=GANSU_REGISTRAR, approver=auth("approver", GANSU_TOWN), notice_from=start)
    return (await c.get(url(h), headers=GANSU_REGISTRAR)).json()  # type: ignore[no-any-return]


async def _income(c: httpx.AsyncClient, h: dict[str, Any], headers: dict[str, str], fen: int) -> None:
    r = await c.patch(
        url(h),
        json={"basic_needs": ALL_NEEDS, "income_channels": ["wages"]},
        headers=headers | {"If-Match": f'"{h["version"]}"'},
    )
    assert r.status_code == 200, r.text
    r = await c.put(url(h, "/incomes"), json={"year": 2018, "per_capita_income_fen": fen}, headers=headers)
    assert r.status_code == 204, r.text


EN = {"Accept-Language": "en"}  # the criteria's English details (Chinese by default)


def _income_criterion(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    return next(x for x in r.json()["criteria"] if x["criterion"] == "income_above_line")  # type: ignore[no-any-return]


async def test_kaiping_at_its_line_meets_it_and_gansu_at_its_line_does_not(make_db) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        kaiping = await registered(c)
        await _income(c, kaiping, REGISTRAR, 400_000)  # 4,000.00 yuan exactly: Kaiping's line
        r = await c.get(url(kaiping, "/exit-eligibility?year=2018"), headers=REGISTRAR | EN)
        assert r.json()["eligible"] is True
        crit = _income_criterion(r)
        assert crit["passed"] is True
        assert "at or above the line 4,000.00 yuan" in crit["detail"]
        assert "at_or_above: 对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶" in crit["detail"]
        assert (
            await c.post(url(kaiping, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        ).status_code == 201

        gansu = await _gansu_registered(c)
        await _income(c, gansu, GANSU_REGISTRAR, 353_500)  # exactly the 2018 line (3,535.00)
        r = await c.get(url(gansu, "/exit-eligibility?year=2018"), headers=GANSU_REGISTRAR | EN)
        assert r.json()["eligible"] is False
        crit = _income_criterion(r)
        assert crit["passed"] is False
        assert "is not above the line 3,535.00 yuan" in crit["detail"]
        assert "稳定超过" in crit["detail"]
        refused = await c.post(url(gansu, "/exit-requests"), json={"year": 2018}, headers=GANSU_REGISTRAR)
        assert refused.status_code == 409
        # one fen over the line is stably over it
        r = await c.put(
            url(gansu, "/incomes"),
            json={"year": 2018, "per_capita_income_fen": 353_501},
            headers=GANSU_REGISTRAR | {"If-Match": '"1"'},
        )
        assert r.status_code == 204, r.text
        assert (await c.get(url(gansu, "/exit-eligibility?year=2018"), headers=GANSU_REGISTRAR)).json()[
            "eligible"
        ]

        # the resolved policy shows each threshold's comparison with the document's words beside it
        p = (await c.get(f"/registry/v1/policies/{GANSU_VILLAGE}/2018", headers=GANSU_REGISTRAR)).json()
        assert p["comparisons"]["exit_line"]["comparison"] == "above"
        assert p["comparisons"]["exit_incidence"] == {
            "comparison": "at_or_below",
            "wording": f"以贫困发生率降至3%以下为主要衡量标准（{GANSU_QINBA_PLAN}第十章第一节六）",
        }
        k = (await c.get(f"/registry/v1/policies/{VILLAGE}/2018", headers=REGISTRAR)).json()
        assert k["comparisons"]["exit_line"]["comparison"] == "at_or_above"


async def test_comparisons_are_policy_records_set_per_area_and_year(make_db) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        record = {
            "area_prefix": "440783",
            "year": 2019,
            "source": "合成示例: 低于的读法",
            "comparisons": {"exit_incidence": {"comparison": "above", "wording": "x"}},
        }
        r = await c.put("/registry/v1/policies", json=record, headers=ADMIN)
        assert r.status_code == 422  # an incidence threshold is read below or at-or-below, never above
        record["comparisons"] = {"exit_line": {"comparison": "above", "wording": "稳定超过 (合成示例)"}}
        assert (await c.put("/registry/v1/policies", json=record, headers=ADMIN)).status_code == 204
        later = (await c.get(f"/registry/v1/policies/{VILLAGE}/2019", headers=REGISTRAR)).json()
        earlier = (await c.get(f"/registry/v1/policies/{VILLAGE}/2018", headers=REGISTRAR)).json()
        assert later["comparisons"]["exit_line"]["comparison"] == "above"
        assert earlier["comparisons"]["exit_line"]["comparison"] == "at_or_above"
        # the other thresholds keep their own comparisons (each key inherits on its own)
        assert later["comparisons"]["notice_min_days"]["comparison"] == "at_or_above"


async def test_pairing_villages_are_a_flag_of_their_own(make_db) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    quanzhou = auth("registrar", "350000000000")
    async with service_client(app) as c:
        tree = [
            {"code": "350000000000", "name": "福建省"},
            {"code": "350500000000", "name": "泉州市"},
            {"code": "350524000000", "name": "安溪县"},
            {"code": "350524101000", "name": "合成镇", "synthetic_code": True},
            {"code": "350524101201", "name": "甲村", "pairing_village": True, "synthetic_code": True},
            {
                "code": "350524101202",
                "name": "乙村",
                "pairing_dispatch_level": "city",
                "synthetic_code": True,
            },
        ]
        assert (await c.post("/registry/v1/areas", json={"areas": tree}, headers=quanzhou)).status_code == 200
        a = (await c.get("/registry/v1/areas/350524101201", headers=quanzhou)).json()
        assert (a["pairing_village"], a["pairing_dispatch_level"]) == (True, None)
        b = (await c.get("/registry/v1/areas/350524101202", headers=quanzhou)).json()
        assert (b["pairing_village"], b["pairing_dispatch_level"]) == (True, "city")
        published = {e["code"]: e for e in await _events(app, "registry.area.upserted.v1")}
        assert published["350524101201"]["pairing_village"] is True
        assert published["350524101201"]["pairing_dispatch_level"] is None
        bad = [{**tree[5], "pairing_village": False}]
        assert (await c.post("/registry/v1/areas", json={"areas": bad}, headers=quanzhou)).status_code == 422


async def test_quanzhou_marks_at_most_28_city_dispatched_pairing_villages(make_db) -> None:  # type: ignore[no-untyped-def]
    # Seed 002 §十一: 对第五轮全省整村推进帮扶工作中的市派28个帮扶村每村给予50万元的资金扶持. Funds grants
    # 500,000 yuan to every village marked city-dispatched, so the 29th is refused where it is marked.
    app = registry_app(make_db("registry"))
    quanzhou = auth("registrar", "350000000000")

    def village(n: int, level: str | None) -> dict[str, Any]:
        return {
            "code": f"350524101{n:03d}",
            "name": f"合成{n}村",
            "pairing_dispatch_level": level,
            "synthetic_code": True,
        }

    async with service_client(app) as c:
        tree = [
            {"code": "350000000000", "name": "福建省"},
            {"code": "350500000000", "name": "泉州市"},
            {"code": "350524000000", "name": "安溪县"},
            {"code": "350524101000", "name": "合成镇", "synthetic_code": True},
            *(village(n, "city") for n in range(201, 229)),  # 28
        ]
        assert (await c.post("/registry/v1/areas", json={"areas": tree}, headers=quanzhou)).status_code == 200
        # loading the same 28 again, and province- or county-dispatched ones, is no change of the count
        again = {"areas": [*tree, village(229, "province"), village(230, "county")]}
        assert (await c.post("/registry/v1/areas", json=again, headers=quanzhou)).status_code == 200

        r = await c.post("/registry/v1/areas", json={"areas": [village(231, "city")]}, headers=quanzhou)
        assert r.status_code == 409
        problem = r.json()
        assert problem["type"].endswith("/pairing-village-quota-exceeded")
        assert "市派帮扶村为28个" in problem["detail"]
        assert "350524101231" in problem["detail"]
        assert "seed" not in problem["detail"]  # the policy's own words, not the project's reference
        assert (problem["max_villages"], problem["villages_after"]) == (28, 29)
        assert (await c.get("/registry/v1/areas/350524101231", headers=quanzhou)).status_code == 404
        # a province-dispatched village turned city-dispatched is the 29th too
        r = await c.post("/registry/v1/areas", json={"areas": [village(229, "city")]}, headers=quanzhou)
        assert r.status_code == 409
        got = (await c.get("/registry/v1/areas/350524101229", headers=quanzhou)).json()
        assert got["pairing_dispatch_level"] == "province"
        en = await c.post(
            "/registry/v1/areas",
            json={"areas": [village(231, "city")]},
            headers={**quanzhou, "Accept-Language": "en"},
        )
        assert "28 city-dispatched" in en.json()["detail"]
        # one of the 28 handed to the province frees its place for another
        swap = {"areas": [village(201, "province"), village(231, "city")]}
        assert (await c.post("/registry/v1/areas", json=swap, headers=quanzhou)).status_code == 200
        got = (await c.get("/registry/v1/areas/350524101231", headers=quanzhou)).json()
        assert (got["pairing_village"], got["pairing_dispatch_level"]) == (True, "city")
        # one handed back (27 left), two clerks at once each mark one more: one passes, the other
        # would be the 29th
        back = {"areas": [village(202, "province")]}
        assert (await c.post("/registry/v1/areas", json=back, headers=quanzhou)).status_code == 200
        both = await asyncio.gather(
            *(
                c.post("/registry/v1/areas", json={"areas": [village(n, "city")]}, headers=quanzhou)
                for n in (232, 233)
            )
        )
        assert sorted(r.status_code for r in both) == [200, 409]


async def test_the_household_signs_its_own_confirmation_and_a_clerk_cannot(make_db) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        start = clock.today() - timedelta(days=10)
        with on_day(start - timedelta(days=1)):  # entered and reviewed 11 days ago
            child = member(
                "child", name="王小宝", resident_id=person_id(clock.today() - timedelta(days=365 * 10))
            )
            h = await candidate(
                c,
                members=[
                    member("head"),
                    member("spouse", name="李小红", resident_id=person_id(sex="female")),
                    child,
                ],
            )
            other = await candidate(c)
        await identify(c, h, clerk=REGISTRAR, notice_from=start, until="notice")
        sign = head_signature(h)
        # the clerk cannot sign for the household, whatever the body says
        for clerk in (REGISTRAR, ADMIN, auth(["registrar", "approver"], "440783000000")):
            r = await c.post(url(h, "/confirmation"), json=sign, headers=clerk)
            assert r.status_code == 403, r.text
            assert r.json()["type"].endswith("/signer-not-the-household")
            assert r.json()["detail"] == "逐户签字确认须由本户使用本户账号签字，工作人员不能代签"
        # another household's account cannot sign for this one
        r = await c.post(url(h, "/confirmation"), json=sign, headers=household_token(other))
        assert r.status_code in (403, 404)
        own = household_token(h)
        spouse = next(m for m in h["members"] if m["relation"] == "spouse")
        kid = next(m for m in h["members"] if m["relation"] == "child")
        stranger = other["members"][0]
        for body, why in (
            # the spouse is not the head
            (
                {"member_id": spouse["id"], "capacity": "head"},
                "只有户主才能以户主身份签字；其他成员请以“成员”身份签字",
            ),
            # a child of ten does not sign
            (
                {"member_id": kid["id"], "capacity": "member"},
                "代表本户签字的成员须年满18周岁，请由成年成员签字",
            ),
            # not a member of this household
            (
                {"member_id": stranger["id"], "capacity": "member"},
                "签字的人不是本户的现有成员，请选本户成员签字",
            ),
        ):
            r = await c.post(url(h, "/confirmation"), json=body, headers=own)
            assert r.status_code == 409, (body, r.text)
            assert r.json()["type"].endswith("/household-signature-refused")
            assert r.json()["detail"] == why
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "in_notice"

        r = await c.post(
            url(h, "/confirmation"), json={"member_id": spouse["id"], "capacity": "member"}, headers=own
        )
        assert r.status_code == 200, r.text
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert card["status"] == "confirmed"
        signature = card["confirmation_signature"]
        assert signature["member_id"] == spouse["id"]
        assert signature["signer_name_masked"] == "李**"
        assert signature["capacity"] == "member"
        assert signature["signed_with"] == h["id"]
        assert signature["signed_at"].startswith(clock.today().isoformat())
        async with app.state.db.transaction() as s:
            audited = (
                await s.execute(
                    select(audit_log.c.after).where(
                        audit_log.c.entity_id == h["id"], audit_log.c.action == "household.confirm"
                    )
                )
            ).scalar_one()
        assert audited["signature"]["capacity"] == "member"


async def test_kaiping_sends_a_disaster_through_its_chain_and_other_causes_back_to_identification(
    make_db,
) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await exited_household(app, c)
        r = await c.post(
            url(h, "/relapse-cases"), json={"cause": "因病", "cause_kind": "illness"}, headers=REGISTRAR
        )
        assert r.status_code == 409
        assert r.json()["type"].endswith("/relapse-routed-elsewhere")
        assert r.json()["route"] == "identification"
        assert r.json()["detail"].startswith("本地区这一原因的返贫应作为拟识别对象重新识别：")
        assert "民主评议" in r.json()["wording"]
        # the policy's own words, without the project's internal reference to its source text
        assert r.json()["detail"].endswith("程序办理")
        assert "seed" not in r.json()["wording"]
        r = await c.post(
            url(h, "/reidentification"),
            json={"cause": "台风", "cause_kind": "major_natural_disaster"},
            headers=REGISTRAR,
        )
        assert (r.status_code, r.json()["route"]) == (409, "chain")
        bad = await c.post(
            url(h, "/relapse-cases"), json={"cause": "x", "cause_kind": "bad_luck"}, headers=REGISTRAR
        )
        assert bad.status_code == 422
        assert (await c.get(url(h), headers=REGISTRAR)).json()["status"] == "exited"

        r = await c.post(
            url(h, "/reidentification"), json={"cause": "因病", "cause_kind": "illness"}, headers=REGISTRAR
        )
        assert r.status_code == 200, r.text
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert (card["status"], card["exited_on"], card["policies_kept_until"]) == ("candidate", None, None)
        assert card["year"] == clock.today().year
        (ev,) = [
            e
            for e in await _events(app, "registry.household.updated.v1")
            if e["change"] == "reidentification"
        ]
        assert (ev["status"], ev["cause_kind"]) == ("candidate", "illness")
        # and it walks ordinary identification again
        assert (await c.post(url(h, "/review-submission"), headers=REGISTRAR)).json()["status"] == "in_review"

        # the disaster goes through the four-step chain as before
        other = await exited_household(app, c)
        r = await c.post(
            url(other, "/relapse-cases"),
            json={"cause": "台风灾害", "cause_kind": "major_natural_disaster"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201, r.text
        assert (r.json()["cause_kind"], r.json()["next_step"]) == (
            "major_natural_disaster",
            "town_recognition",
        )

        record = {
            "area_prefix": "440783",
            "year": 2019,
            "source": "x",
            "relapse_routes": [{"cause": "illness", "route": "chain", "wording": "x"}],
        }
        assert (await c.put("/registry/v1/policies", json=record, headers=ADMIN)).status_code == 422  # no "*"


async def test_policies_are_kept_for_the_period_counted_from_the_exit_and_the_event_says_until_when(
    make_db,
) -> None:  # type: ignore[no-untyped-def]
    app = registry_app(make_db("registry"))
    today = clock.today()
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        h = (await c.get(url(h), headers=REGISTRAR)).json()
        await make_eligible(c, h)
        req = (await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)).json()
        event = verdict("verified", h, req, verified_on=today.isoformat())
        assert await handle_event(app.state.db, "registry", event, HANDLERS)
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        kept = date.fromisoformat(card["policies_kept_until"])
        assert kept > today  # never a date before the exit
        assert kept == date(today.year + 3, today.month, today.day) - timedelta(days=1) or (
            today.month,
            today.day,
        ) == (2, 29)
        (exited,) = await _events(app, "registry.household.exited.v1")
        assert exited["policies_kept_until"] == card["policies_kept_until"]
        assert exited["exited_on"] == today.isoformat()
