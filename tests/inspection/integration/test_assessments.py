"""Yearly assessment numbers computed from projections, against a fixture county."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest

from services.inspection.consumers import HANDLERS
from services.inspection.models import EvaluationItem, EvaluationOmission, EvaluationSample, Finding
from shared.clock import clock
from shared.events.consumer import handle_event
from tests.inspection.integration.helpers import app_for, event, finding_row
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
VILLAGE = "620521101201"
CITY_INSPECTOR = auth("inspector", "620500000000", sub="city-inspector")


async def _feed(app, type_: str, data: dict) -> None:  # type: ignore[no-untyped-def]
    assert await handle_event(app.state.db, "inspection", event(type_, data), HANDLERS)


async def _fixture_county(app) -> None:  # type: ignore[no-untyped-def]
    await _feed(
        app,
        "registry.area.upserted.v1",
        {
            "code": COUNTY,
            "name": "Test county",
            "level": "county",
            "parent_code": "620500000000",
            "rural_population": 2000,
        },
    )
    for i in range(10):  # in the roll: 10 households x 4 people = 40 poor people (2% incidence)
        await _feed(
            app,
            "registry.household.registered.v1",
            {"household_id": f"h{i}", "area_code": VILLAGE, "member_count": 4},
        )
    for i in range(5):  # exited this year: 5 x 3 = 15 people
        await _feed(
            app,
            "registry.household.exited.v1",
            {
                "household_id": f"x{i}",
                "area_code": VILLAGE,
                "exit_request_id": f"r{i}",
                "exited_on": "2026-09-30",
                "member_count": 3,
            },
        )
    await _feed(
        app,
        "registry.household.exited.v1",  # last year's exit does not count
        {
            "household_id": "old",
            "area_code": VILLAGE,
            "exit_request_id": "r-old",
            "exited_on": "2025-09-30",
            "member_count": 6,
        },
    )
    for i in range(9):
        await _feed(
            app,
            "pairing.pairing.opened.v1",
            {
                "pairing_id": f"p{i}",
                "kind": "cadre_household",
                "area_code": VILLAGE,
                "helper_id": "cadre-7",
                "target_id": f"h{i}",
            },
        )
    await _feed(
        app,
        "pairing.pairing.closed.v1",
        {"pairing_id": "p8", "kind": "cadre_household", "area_code": VILLAGE, "reason": "cadre transferred"},
    )
    for i in range(6):
        await _feed(
            app,
            "pairing.visit.recorded.v2",
            {
                "visit_id": f"v{i}",
                "household_id": f"h{i}",
                "area_code": VILLAGE,
                "cadre_id": "cadre-7",
                "visited_on": "2026-04-02",
                "satisfaction": "satisfied",
            },
        )
    await _feed(
        app,
        "pairing.visit.recorded.v2",
        {
            "visit_id": "v-old",
            "household_id": "h7",
            "area_code": VILLAGE,
            "cadre_id": "cadre-7",
            "visited_on": "2025-04-02",
            "satisfaction": None,
        },
    )
    for plan_id, total in (("plan-a", 600_000), ("plan-b", 400_000)):
        await _feed(
            app,
            "funds.plan.recomputed.v1",
            {"plan_id": plan_id, "scheme_code": "x", "area_code": COUNTY, "total_fen": total, "year": 2026},
        )
    await _feed(
        app,
        "funds.plan.recomputed.v1",
        {"plan_id": "plan-a", "scheme_code": "x", "area_code": COUNTY, "total_fen": 600_000, "year": 2026},
    )  # recomputed, same plan
    await _feed(
        app,
        "funds.disbursement.recorded.v1",
        {
            "disbursement_id": "d1",
            "area_code": VILLAGE,
            "beneficiary_kind": "household",
            "beneficiary_id": "h1",
            "amount_fen": 750_000,
            "year": 2026,
        },
    )
    await _feed(
        app,
        "funds.disbursement.recorded.v1",
        {
            "disbursement_id": "d2",
            "area_code": VILLAGE,
            "beneficiary_kind": "household",
            "beneficiary_id": "h2",
            "amount_fen": 50_000,
            "year": 2026,
        },
    )
    await _feed(
        app,
        "funds.disbursement.reversed.v1",
        {"disbursement_id": "d2", "area_code": VILLAGE, "amount_fen": 50_000, "reason": "paid twice"},
    )
    await _feed(
        app,
        "funds.plan.recomputed.v1",
        {
            "plan_id": "plan-c",
            "scheme_code": "x",
            "area_code": COUNTY,
            "total_fen": 900_000,
            "year": None,
            "years": [],
        },
    )
    async with app.state.db.transaction() as s:

        def finding(deadline: date, status: str, submitted: date | None) -> Finding:
            return finding_row(date(2026, 1, 5), deadline, status, severity="low", submitted_on=submitted)

        s.add_all(
            [
                finding(date(2026, 3, 1), "verified", date(2026, 2, 20)),
                finding(date(2026, 4, 1), "submitted", date(2026, 4, 1)),
                finding(date(2026, 5, 1), "verified", date(2026, 5, 9)),  # late
                finding(date(2026, 6, 1), "open", None),
                finding(date(2025, 6, 1), "open", None),  # another year
                finding(date(2026, 12, 21), "open", None),  # not due yet on 6 December: not late
            ]
        )
        sample = EvaluationSample(
            id=uuid.uuid4(),
            area_code=COUNTY,
            year=2026,
            seed="s",
            rate_numerator=1,
            rate_denominator=10,
            min_per_village=2,
            population=50,
            created_by="firm",
        )
        s.add(sample)
        await s.flush()
        s.add_all(
            [
                EvaluationItem(
                    sample_id=sample.id,
                    household_id=f"e{i}",
                    village_code=VILLAGE,
                    verdict="wrongly_exited" if i == 0 else "correct",
                )
                for i in range(10)
            ]
        )
        s.add(EvaluationOmission(sample_id=sample.id, village_code=VILLAGE, households=1))


async def test_county_assessment_numbers_and_admonishment_of_its_heads(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        r = await c.put(
            f"/inspection/v1/assessments/targets/{COUNTY}/2026", json={"people": 20}, headers=CITY_INSPECTOR
        )
        assert r.status_code == 200
        with clock.frozen(date(2026, 12, 6)):
            r = await c.post(
                "/inspection/v1/assessments",
                json={"area_code": COUNTY, "year": 2026, "qualitative_score": 90},
                headers=CITY_INSPECTOR,
            )
        assert r.status_code == 201, r.text
        a = r.json()
        got = {
            i["name"]: (i["numerator"], i["denominator"], i["ratio"], i["points"]) for i in a["indicators"]
        }
        assert got == {
            "reduction": (15, 20, "0.7500", "18.75"),
            "incidence": (40, 2000, "1.0000", "10.00"),
            "disbursement": (750_000, 1_000_000, "0.7500", "11.25"),
            "pairing_coverage": (8, 10, "0.8000", "8.00"),
            "visit_rate": (6, 10, "0.6000", "6.00"),
            "rectification_on_time": (2, 4, "0.5000", "5.00"),
            "qualitative": (90, 100, "0.9000", "9.00"),
            "third_party": (8, 10, "0.8000", "8.00"),
        }
        assert (a["score"], a["rating"], a["missed_target"], a["missing"]) == ("76.00", "fair", True, [])
        # in the words of the result sheet
        assert (a["rating_label"], a["missing_labels"]) == ("一般", [])
        assert {i["name"]: i["name_label"] for i in a["indicators"]}[
            "rectification_on_time"
        ] == "问题按期整改率"
        assert {x["reason"] for x in a["admonishments"]} == {
            "2026年减贫任务未完成：目标减贫20人，实际减贫15人"
        }
        assert sorted(x["subject"] for x in a["admonishments"]) == [
            "county_head of 620521000000",
            "county_party_secretary of 620521000000",
        ]
        assert {x["kind"] for x in a["admonishments"]} == {"admonishment_interview"}
        again = await c.post(
            "/inspection/v1/assessments", json={"area_code": COUNTY, "year": 2026}, headers=CITY_INSPECTOR
        )
        assert again.status_code == 409
        # the county cannot assess itself
        r = await c.post(
            "/inspection/v1/assessments",
            json={"area_code": COUNTY, "year": 2025},
            headers=auth("inspector", COUNTY),
        )
        assert r.status_code == 403


async def _target(c: httpx.AsyncClient, year: int, *, people: int) -> None:
    """The city sets the county's target of people to lift out of poverty in ``year``."""
    r = await c.put(
        f"/inspection/v1/assessments/targets/{COUNTY}/{year}", json={"people": people}, headers=CITY_INSPECTOR
    )
    assert r.status_code == 200, r.text


async def test_a_year_still_to_come_in_china_is_not_assessed(make_db) -> None:
    """03:00 on 6 December in China is still 2026: assessing 2027 (target set) would record a score and
    admonish the county's heads before a day of the year had passed; 422 and nothing is stored."""
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        await _target(c, 2027, people=20)
        county_inspector = auth("inspector", COUNTY)
        with clock.frozen(datetime(2026, 12, 5, 19, 0, tzinfo=UTC)):
            one = await c.post(
                "/inspection/v1/assessments", json={"area_code": COUNTY, "year": 2027}, headers=CITY_INSPECTOR
            )
            run = await c.post(
                "/inspection/v1/assessments/runs",
                json={"year": 2027, "level": "village"},
                headers=county_inspector,
            )
        for r in (one, run):
            assert r.status_code == 422, r.text
            assert r.json()["type"].endswith("/date-in-future")
            assert "2027年还没有开始（今天是北京时间 2026-12-06），该年度开始后才能考核" in r.json()["detail"]
        assert (await c.get("/inspection/v1/assessments", headers=CITY_INSPECTOR)).json()["items"] == []
        assert (await c.get("/inspection/v1/accountability", headers=CITY_INSPECTOR)).json()["items"] == []


async def test_village_that_missed_its_target_admonishes_its_pairing_cadre(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        township_inspector = auth("inspector", "620521101000")
        await c.put(
            f"/inspection/v1/assessments/targets/{VILLAGE}/2026",
            json={"people": 16},
            headers=township_inspector,
        )
        a = (
            await c.post(
                "/inspection/v1/assessments",
                json={"area_code": VILLAGE, "year": 2026},
                headers=township_inspector,
            )
        ).json()
        assert a["missed_target"] is True
        assert a["missing"] == ["rural_population", "qualitative"]
        assert [x["subject"] for x in a["admonishments"]] == ["pairing_cadre:cadre-7"]
        listed = (await c.get("/inspection/v1/accountability", headers=township_inspector)).json()["items"]
        assert [x["origin"] for x in listed] == ["assessment:620521101201:2026"]


async def test_target_met_means_no_admonishment(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        await c.put(
            f"/inspection/v1/assessments/targets/{COUNTY}/2026", json={"people": 15}, headers=CITY_INSPECTOR
        )
        a = (
            await c.post(
                "/inspection/v1/assessments",
                json={"area_code": COUNTY, "year": 2026, "qualitative_score": 90},
                headers=CITY_INSPECTOR,
            )
        ).json()
        assert (a["missed_target"], a["admonishments"], a["score"]) == (False, [], "82.25")


async def test_assessment_list_pages_by_cursor(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        for village in ("620521101201", "620521101202", "620521101203"):
            r = await c.post(
                "/inspection/v1/assessments",
                json={"area_code": village, "year": 2026},
                headers=CITY_INSPECTOR,
            )
            assert r.status_code == 201
        first = (await c.get("/inspection/v1/assessments?limit=2", headers=CITY_INSPECTOR)).json()
        assert len(first["items"]) == 2
        rest = (
            await c.get(
                f"/inspection/v1/assessments?limit=2&cursor={first['next_cursor']}", headers=CITY_INSPECTOR
            )
        ).json()
        assert [a["area_code"] for a in first["items"] + rest["items"]] == [
            "620521101201",
            "620521101202",
            "620521101203",
        ]
        assert rest["next_cursor"] is None
        assert (
            await c.get("/inspection/v1/assessments?limit=500", headers=CITY_INSPECTOR)
        ).status_code == 422
        huge_year = await c.get("/inspection/v1/assessments?year=2147483648", headers=CITY_INSPECTOR)
        assert huge_year.status_code == 422


async def test_an_area_previews_its_own_indicators_without_storing_them(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        await c.put(
            f"/inspection/v1/assessments/targets/{COUNTY}/2026", json={"people": 20}, headers=CITY_INSPECTOR
        )
        own = auth("approver", COUNTY)
        with clock.frozen(date(2026, 12, 6)):
            r = await c.get(
                f"/inspection/v1/assessments/preview?area_code={COUNTY}&year=2026&qualitative_score=90",
                headers=own,
            )
        assert r.status_code == 200, r.text
        assert (r.json()["score"], r.json()["rating"], r.json()["missed_target"]) == ("76.00", "fair", True)
        assert r.json()["rating_label"] == "一般"
        assert (await c.get("/inspection/v1/assessments", headers=CITY_INSPECTOR)).json()["items"] == []
        assert (await c.get("/inspection/v1/accountability", headers=CITY_INSPECTOR)).json()["items"] == []
        other = auth("approver", "620522000000")
        r = await c.get(f"/inspection/v1/assessments/preview?area_code={COUNTY}&year=2026", headers=other)
        assert r.status_code == 404


async def test_a_run_assesses_every_known_village_once(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _fixture_county(app)
        for code in ("620521101201", "620521101202", "620521101203"):
            await _feed(app, "registry.area.upserted.v1", {"code": code, "name": code, "level": "village"})
        await _feed(
            app, "registry.area.upserted.v1", {"code": "620522101201", "name": "x", "level": "village"}
        )
        await c.put(
            f"/inspection/v1/assessments/targets/{VILLAGE}/2026", json={"people": 16}, headers=CITY_INSPECTOR
        )
        county_inspector = auth("inspector", COUNTY)
        r = await c.post(
            "/inspection/v1/assessments/runs",
            json={"year": 2026, "level": "village"},
            headers=county_inspector,
        )
        assert r.status_code == 200, r.text
        run = r.json()
        assert [a["area_code"] for a in run["assessed"]] == ["620521101201", "620521101202", "620521101203"]
        assert run["more"] is False
        assert [a["missed_target"] for a in run["assessed"]] == [True, False, False]
        again = await c.post(
            "/inspection/v1/assessments/runs",
            json={"year": 2026, "level": "village"},
            headers=county_inspector,
        )
        assert again.json()["assessed"] == []
        bad = await c.post(
            "/inspection/v1/assessments/runs", json={"year": 2026, "level": "city"}, headers=county_inspector
        )
        assert bad.status_code == 422
