"""Third-party sample on real PostgreSQL: reproducible, stratified, evaluator-only, error rates."""

from __future__ import annotations

from datetime import date

import pytest

from services.inspection.consumers import HANDLERS
from services.inspection.policies import presets
from services.inspection.sampling import rules
from shared.clock import clock
from shared.events.consumer import handle_event
from tests.inspection.integration.helpers import app_for, event, exit_requested
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
VILLAGES = {"620521101201": 35, "620521101202": 7, "620521102301": 1}
EVALUATOR = auth("evaluator", COUNTY, sub="evaluator-firm")


async def _project_exits(app) -> list[rules.Candidate]:  # type: ignore[no-untyped-def]
    pool = []
    for village, n in VILLAGES.items():
        for i in range(n):
            hid = f"{village}-{i:03d}"
            ev = event(
                "registry.household.exited.v1",
                {
                    "household_id": hid,
                    "area_code": village,
                    "exit_request_id": f"x-{hid}",
                    "exited_on": "2026-06-30",
                    "policies_kept_until": "2029-06-30",
                    "member_count": 3,
                },
            )
            assert await handle_event(app.state.db, "inspection", ev, HANDLERS)
            pool.append(rules.Candidate(hid, village))
    # an exit of another year and a household never exited stay out of the population
    await handle_event(
        app.state.db,
        "inspection",
        event(
            "registry.household.exited.v1",
            {
                "household_id": "old",
                "area_code": "620521101201",
                "exit_request_id": "x-old",
                "exited_on": "2025-06-30",
                "policies_kept_until": "2028-06-30",
                "member_count": 2,
            },
        ),
        HANDLERS,
    )
    await handle_event(
        app.state.db,
        "inspection",
        event(
            "registry.household.registered.v1",
            {"household_id": "poor", "area_code": "620521101201", "member_count": 2},
        ),
        HANDLERS,
    )
    return pool


async def test_same_seed_same_stratified_sample(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        pool = await _project_exits(app)
        body = {"area_code": COUNTY, "year": 2026, "seed": "GS-2026-eval-0415"}
        a = (await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)).json()
        b = (await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)).json()
        assert a["id"] != b["id"]
        assert a["items"] == b["items"]
        assert a["population"] == 43
        assert a["rate"] == "1/10"
        assert a["min_per_village"] == 2
        per_village = {v: sum(i["village_code"] == v for i in a["items"]) for v in VILLAGES}
        assert per_village == {"620521101201": 4, "620521101202": 2, "620521102301": 1}
        # anyone with the published seed can redo the draw offline
        expected = rules.draw(pool, "GS-2026-eval-0415", presets.THIRD_PARTY_SAMPLING)
        assert [i["household_id"] for i in a["items"]] == [x.household_id for x in expected]
        other = (
            await c.post("/inspection/v1/samples", json={**body, "seed": "another"}, headers=EVALUATOR)
        ).json()
        assert [i["household_id"] for i in other["items"]] != [i["household_id"] for i in a["items"]]
        # how it was drawn, in the evaluator's language: Chinese unless English is asked for
        assert a["method"].startswith("按村分别抽取")
        english = await c.get(
            f"/inspection/v1/samples/{a['id']}", headers={**EVALUATOR, "Accept-Language": "en"}
        )
        assert english.json()["method"].startswith("Per village, households ranked by SHA-256")
        assert "Accept-Language" in english.headers["Vary"]


async def test_only_the_evaluator_sees_samples(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        s = (
            await c.post(
                "/inspection/v1/samples",
                json={"area_code": COUNTY, "year": 2026, "seed": "s"},
                headers=EVALUATOR,
            )
        ).json()
        for role in ("inspector", "admin", "cadre"):
            r = await c.get(f"/inspection/v1/samples/{s['id']}", headers=auth(role, COUNTY))
            assert r.status_code == 403, role
        assert (
            await c.get(f"/inspection/v1/samples/{s['id']}", headers=auth("evaluator", "620522000000"))
        ).status_code == 404


async def test_verdicts_and_error_rates(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        s = (
            await c.post(
                "/inspection/v1/samples",
                json={"area_code": COUNTY, "year": 2026, "seed": "rates"},
                headers=EVALUATOR,
            )
        ).json()
        url = f"/inspection/v1/samples/{s['id']}"
        first_village = [i for i in s["items"] if i["village_code"] == "620521101201"]
        for n, item in enumerate(first_village):
            verdict = "wrongly_exited" if n == 0 else "correct"
            r = await c.post(
                f"{url}/verdicts",
                json={"household_id": item["household_id"], "verdict": verdict},
                headers=EVALUATOR,
            )
            assert r.status_code == 200
        again = {"household_id": first_village[0]["household_id"], "verdict": "correct"}
        assert (await c.post(f"{url}/verdicts", json=again, headers=EVALUATOR)).status_code == 409
        bogus = {"household_id": "not-sampled", "verdict": "correct"}
        assert (await c.post(f"{url}/verdicts", json=bogus, headers=EVALUATOR)).status_code == 404
        r = await c.post(
            f"{url}/omissions", json={"village_code": "620521101201", "households": 1}, headers=EVALUATOR
        )
        assert r.status_code == 204
        rows = (await c.get(f"{url}/error-rates?level=village", headers=EVALUATOR)).json()
        assert rows == [
            {
                "area_code": "620521101201",
                "checked": 4,
                "wrongly_exited": 1,
                "wrongly_left_out": 1,
                "wrongly_exited_rate": "0.2500",
                "wrongly_left_out_rate": "0.2500",
            }
        ]
        (county,) = (await c.get(f"{url}/error-rates?level=county", headers=EVALUATOR)).json()
        assert county["area_code"] == COUNTY
        assert county["checked"] == 4


async def test_samples_list_pages_by_cursor(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        for seed in ("a", "b", "c"):
            body = {"area_code": COUNTY, "year": 2026, "seed": seed}
            assert (await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)).status_code == 201
        first = (await c.get("/inspection/v1/samples?limit=2", headers=EVALUATOR)).json()
        rest = (
            await c.get(f"/inspection/v1/samples?limit=2&cursor={first['next_cursor']}", headers=EVALUATOR)
        ).json()
        assert [s["seed"] for s in first["items"] + rest["items"]] == ["a", "b", "c"]
        assert all(s["size"] == 7 for s in first["items"] + rest["items"])
        assert rest["next_cursor"] is None


async def test_no_sample_while_the_areas_exit_acceptance_of_the_year_is_still_under_way(make_db) -> None:
    """Seed 003 十: 第三方评估工作在市县两级…退出验收工作结束后独立进行. One household of the county
    still waits for its 4-3-4-2 signatures for 2026: the 2026 sample is refused (409) and names how
    many are open; 2025's acceptance is over, so its sample is drawn; once the open exit is
    withdrawn, 2026's sample is drawn too."""
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        waiting = exit_requested(area="620521101202", year=2026)
        assert await handle_event(app.state.db, "inspection", waiting, HANDLERS)
        body = {"area_code": COUNTY, "year": 2026, "seed": "after-acceptance"}
        refused = await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].rsplit("/", 1)[1] == "acceptance-under-way"
        assert refused.json()["open_dossiers"] == 1
        older = await c.post("/inspection/v1/samples", json={**body, "year": 2025}, headers=EVALUATOR)
        assert (older.status_code, older.json()["population"]) == (201, 1)
        # villages are accepted apart: no village sign-off is open, so the open household exit does
        # not hold a village sample back (none exited here: nothing to sample, said as such)
        villages = await c.post("/inspection/v1/samples", json={**body, "unit": "village"}, headers=EVALUATOR)
        assert villages.json()["type"].rsplit("/", 1)[1] == "nothing-to-sample", villages.text
        returned = event(
            "registry.household.exit_returned.v1",
            {
                "household_id": waiting.data["household_id"],
                "area_code": "620521101202",
                "exit_request_id": waiting.data["exit_request_id"],
                "reason": "data corrected",
            },
        )
        assert await handle_event(app.state.db, "inspection", returned, HANDLERS)
        drawn = await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)
        assert (drawn.status_code, drawn.json()["population"]) == (201, 43)


async def test_an_area_and_year_without_exits_is_refused_with_what_to_check(make_db) -> None:
    """Seed 003 十 checks exits at random: where no household of the area exited in the year there
    is nothing to check, and an empty sample would read like an evaluation that found nothing wrong."""
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        body = {"area_code": COUNTY, "year": 2024, "seed": "nothing-exited"}
        r = await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)
        assert r.status_code == 409, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["type"].rsplit("/", 1)[1] == "nothing-to-sample"
        assert problem["detail"] == (
            "620521000000 在 2024 年没有贫困户退出，没有可抽查的对象；请核对地区代码、年度和抽样对象"
        )
        assert (problem["year"], problem["unit"]) == (2024, "household")
        en = await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR | {"Accept-Language": "en"})
        assert en.json()["detail"] == "no household of 620521000000 exited in 2024: nothing to sample"
        assert (await c.get("/inspection/v1/samples", headers=EVALUATOR)).json()["items"] == []


async def test_a_year_not_yet_begun_is_refused_as_in_the_future_not_as_without_exits(make_db) -> None:
    """On 6 December 2026 (China date; UTC still reads the 5th) the year 2027 has not begun: the
    evaluator mistyped the year, and "nothing exited in 2027" would send them to check the area."""
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        with clock.frozen(date(2026, 12, 6)):
            body = {"area_code": COUNTY, "year": 2027, "seed": "typo-year"}
            r = await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)
            assert r.status_code == 422, r.text
            problem = r.json()
            assert problem["type"].rsplit("/", 1)[1] == "date-in-future"
            assert problem["detail"] == (
                "2027年还没有开始（今天是北京时间 2026-12-06），该年度开始后才能抽样，请核对年度"
            )
            assert (problem["field"], problem["entered"]) == ("year", "2027")
            assert (await c.get("/inspection/v1/samples", headers=EVALUATOR)).json()["items"] == []
            body["year"] = 2026
            assert (await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)).status_code == 201


async def test_the_sample_names_its_unit_and_each_verdict_in_chinese(make_db) -> None:
    """The evaluator's sheet shows 贫困户退出 and 错退, not the codes household and wrongly_exited."""
    app = app_for(make_db)
    async with service_client(app) as c:
        await _project_exits(app)
        body = {"area_code": COUNTY, "year": 2026, "seed": "labels"}
        s = (await c.post("/inspection/v1/samples", json=body, headers=EVALUATOR)).json()
        assert (s["unit"], s["unit_label"]) == ("household", "贫困户退出")
        assert {(i["verdict"], i["verdict_label"]) for i in s["items"]} == {(None, None)}
        item = s["items"][0]
        r = await c.post(
            f"/inspection/v1/samples/{s['id']}/verdicts",
            json={"household_id": item["household_id"], "verdict": "错退"},
            headers=EVALUATOR,
        )
        assert r.status_code == 200, r.text
        (judged,) = [i for i in r.json()["items"] if i["household_id"] == item["household_id"]]
        assert (judged["verdict"], judged["verdict_label"]) == ("wrongly_exited", "错退")
