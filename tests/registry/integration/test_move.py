"""A household moves to another village (迁移): scope, state, counters exact, audited, published."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.registry.models import Household, RollupCounter
from services.registry.rollups.rules import area_prefixes
from services.registry.vocabulary import POOR_STATUSES
from shared.clock import clock
from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
    OTHER_REGISTRAR,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio

JIANGMEN = "440700000000"
TOWN_B = "440783102000"  # another township of Kaiping (synthetic)
VILLAGE_B = "440783102201"
TAISHAN = "440781000000"  # another county of Jiangmen
VILLAGE_T = "440781101201"
MORE_AREAS = [
    {"code": TOWN_B, "name": "乙镇(合成代码)", "synthetic_code": True},
    {"code": VILLAGE_B, "name": "乙村", "synthetic_code": True, "rural_population": 500},
    {"code": TAISHAN, "name": "台山市"},
    {"code": "440781101000", "name": "丙镇(合成代码)", "synthetic_code": True},
    {"code": VILLAGE_T, "name": "丙村", "synthetic_code": True},
]
COUNTY_REGISTRAR = auth("registrar", "440783000000")
CITY_REGISTRAR = auth("registrar", JIANGMEN)
TODAY = clock.today().isoformat()  # the China date the service reads


def move_body(to: str, **over: object) -> dict[str, object]:
    return {"to_area_code": to, "reason": "relocation", "moved_on": TODAY} | over


async def setup(c) -> None:  # type: ignore[no-untyped-def]
    await load_areas(c)
    r = await c.post("/registry/v1/areas", json={"areas": MORE_AREAS}, headers=auth("admin", "440000000000"))
    assert r.status_code == 200, r.text


async def recount_matches_counters(app) -> None:  # type: ignore[no-untyped-def]
    """Every maintained status/cause/batch counter equals a scan of the household table."""
    expected: Counter[tuple[str, str, str, str]] = Counter()
    async with app.state.db.transaction() as s:
        for h in (await s.execute(select(Household))).scalars():
            cells = [("status", h.status)]
            if h.status in {p.value for p in POOR_STATUSES}:
                cells += [("cause", c) for c in h.poverty_causes] + [("batch", b) for b in h.batches]
            for prefix in area_prefixes(h.area_code):
                for dim, key in cells:
                    expected[(prefix, dim, key, "h")] += 1
                    expected[(prefix, dim, key, "p")] += h.member_count
        stored: Counter[tuple[str, str, str, str]] = Counter()
        for row in (await s.execute(select(RollupCounter))).scalars():
            if row.dimension in ("status", "cause", "batch"):
                stored[(row.area_prefix, row.dimension, row.key, "h")] += row.households
                stored[(row.area_prefix, row.dimension, row.key, "p")] += row.persons
    assert +stored == +expected  # unary + drops zero cells (counters that went back to 0)


async def test_a_registered_household_moves_and_every_level_follows(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await registered(
            c,
            members=[member("head"), member("child", name="小明", resident_id=person_id())],
            poverty_causes=["illness"],
        )
        await registered(c, members=[member("head")], poverty_causes=["disaster"])  # stays behind
        base = f"/registry/v1/households/{h['id']}"
        r = await c.post(
            base + "/move", json=move_body(VILLAGE_T, note="易地扶贫搬迁"), headers=CITY_REGISTRAR
        )
        assert r.status_code == 200, r.text
        moved = r.json()
        assert (moved["area_code"], moved["status"], moved["version"]) == (
            VILLAGE_T,
            "registered",
            h["version"] + 1,
        )
        assert moved["household_number"] == h["household_number"]  # an identifier, not an address
        assert r.headers["ETag"]

        reader = auth("auditor", "440000000000")

        async def registered_at(code: str) -> dict[str, int] | None:
            got = (await c.get(f"/registry/v1/rollups/{code}?year=2018", headers=reader)).json()
            return got["by_status"].get("registered")

        assert await registered_at(VILLAGE) == {"households": 1, "persons": 1}
        assert await registered_at(VILLAGE_T) == {"households": 1, "persons": 2}
        assert await registered_at("440783000000") == {"households": 1, "persons": 1}
        assert await registered_at(TAISHAN) == {"households": 1, "persons": 2}
        assert await registered_at(JIANGMEN) == {"households": 2, "persons": 3}  # common ancestor: unchanged
        kaiping = (await c.get("/registry/v1/rollups/440783000000?year=2018", headers=reader)).json()
        assert kaiping["by_cause"] == {"disaster": {"households": 1, "persons": 1}}
        assert kaiping["entries_by_year"] == {"2017": {"households": 2, "persons": 3}}  # flows stay put
        await recount_matches_counters(app)

        async with app.state.db.transaction() as s:
            event = (
                await s.execute(select(outbox.c.envelope).order_by(outbox.c.seq.desc()).limit(1))
            ).scalar_one()
            trail = (
                await s.execute(
                    select(audit_log.c.before, audit_log.c.after).where(
                        audit_log.c.action == "household.moved"
                    )
                )
            ).one()
        assert event["type"] == "registry.household.updated.v1"
        assert event["data"] | {"member_ids": []} == {
            "household_id": h["id"],
            "area_code": VILLAGE_T,
            "status": "registered",
            "member_count": 2,
            "member_ids": [],
            "poverty_causes": ["illness"],
            "batches": ["production_employment"],
            "change": "moved",
            "from_area_code": VILLAGE,
            "moved_on": TODAY,
            "reason": "relocation",
        }
        assert trail.before == {"area_code": VILLAGE}
        assert trail.after["note"] == "易地扶贫搬迁"

        # It is now the new village's household: the old village's registrar no longer sees it.
        assert (await c.get(base, headers=REGISTRAR)).status_code == 404


async def test_the_caller_must_hold_both_villages(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await registered(c)
        base = f"/registry/v1/households/{h['id']}"
        # the village registrar holds the household but not the target village
        r = await c.post(base + "/move", json=move_body(OTHER_VILLAGE), headers=REGISTRAR)
        assert (r.status_code, r.json()["type"].rsplit("/", 1)[-1]) == (404, "area-not-found")
        # the other village's registrar holds the target but not the household
        r = await c.post(base + "/move", json=move_body(OTHER_VILLAGE), headers=OTHER_REGISTRAR)
        assert (r.status_code, r.json()["type"].rsplit("/", 1)[-1]) == (404, "household-not-found")
        # a county registrar holds Kaiping, not Taishan
        r = await c.post(base + "/move", json=move_body(VILLAGE_T), headers=COUNTY_REGISTRAR)
        assert r.status_code == 404
        # a cadre has no business moving households
        r = await c.post(base + "/move", json=move_body(OTHER_VILLAGE), headers=auth("cadre", "440783000000"))
        assert r.status_code == 403
        # within the township: allowed
        r = await c.post(base + "/move", json=move_body(OTHER_VILLAGE), headers=COUNTY_REGISTRAR)
        assert r.status_code == 200, r.text
        assert (await c.get(base, headers=OTHER_REGISTRAR)).json()["area_code"] == OTHER_VILLAGE
        await recount_matches_counters(app)


async def test_a_household_in_a_state_that_cannot_move_gets_409_and_nothing_changes(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await candidate(c)
        base = f"/registry/v1/households/{h['id']}"
        r = await c.post(base + "/review-submission", headers=REGISTRAR)
        assert r.status_code == 200
        r = await c.post(base + "/move", json=move_body(VILLAGE_B), headers=COUNTY_REGISTRAR)
        assert r.status_code == 409
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["type"].endswith("/household-change-refused")
        assert (problem["reason"], problem["status"]) == ("status_not_movable", 409)
        assert "民主评议中" in problem["detail"]  # the status as the clerk knows it

        removed = await registered(c)
        r = await c.post(
            f"/registry/v1/households/{removed['id']}/removal",
            json={"reason": "duplicate file"},
            headers=auth("approver", "440783101000"),
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            f"/registry/v1/households/{removed['id']}/move",
            json=move_body(VILLAGE_B),
            headers=COUNTY_REGISTRAR,
        )
        assert (r.status_code, r.json()["reason"]) == (409, "status_not_movable")

        r = await c.post(base + "/move", json=move_body(VILLAGE), headers=COUNTY_REGISTRAR)
        assert r.status_code == 409  # in_review is checked before "same village"
        async with app.state.db.transaction() as s:
            moves = (await s.execute(select(audit_log).where(audit_log.c.action == "household.moved"))).all()
        assert moves == []
        assert (await c.get(base, headers=REGISTRAR)).json()["area_code"] == VILLAGE
        await recount_matches_counters(app)


async def test_a_candidate_moves_and_same_village_is_refused(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await candidate(c)
        base = f"/registry/v1/households/{h['id']}"
        r = await c.post(base + "/move", json=move_body(VILLAGE), headers=REGISTRAR)
        assert (r.status_code, r.json()["reason"]) == (409, "same_village")
        r = await c.post(base + "/move", json=move_body(VILLAGE_B, reason="family"), headers=COUNTY_REGISTRAR)
        assert r.status_code == 200
        assert r.json()["status"] == "candidate"
        await recount_matches_counters(app)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (move_body(TOWN_B), "a township is not a village"),
        (move_body("440783000000"), "a county is not a village"),
        (move_body("4407831022"), "not a 12-digit code"),
        (move_body(VILLAGE_B, reason="other"), "other needs a note"),
        (move_body(VILLAGE_B, reason="holiday"), "not in the vocabulary"),
        (move_body(VILLAGE_B, moved_on=(clock.today() + timedelta(days=1)).isoformat()), "in the future"),
    ],
)
async def test_malformed_moves_are_422(make_db, body, why):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await registered(c)
        r = await c.post(f"/registry/v1/households/{h['id']}/move", json=body, headers=COUNTY_REGISTRAR)
        assert r.status_code == 422, why
        assert r.headers["content-type"].startswith("application/problem+json")
        assert (await c.get(f"/registry/v1/households/{h['id']}", headers=REGISTRAR)).json()["version"] == h[
            "version"
        ]


async def test_a_move_dated_tomorrow_is_date_in_future_like_every_other_date(make_db):
    """Walking a household's life (stop 29): at 03:40 on 6 December in China (UTC still the 5th) a
    move dated the 7th was a bare invalid-input without the China date; now date-in-future."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await registered(c)
        with clock.frozen(datetime(2026, 12, 5, 19, 40, tzinfo=UTC)):
            body = move_body(VILLAGE_B, moved_on="2026-12-07")
            r = await c.post(f"/registry/v1/households/{h['id']}/move", json=body, headers=COUNTY_REGISTRAR)
            assert r.status_code == 422, r.text
            problem = r.json()
            assert problem["type"].endswith("/date-in-future")
            assert problem["title"] == "日期不能晚于今天"
            assert (problem["field"], problem["entered"], problem["today"]) == (
                "moved_on",
                "2026-12-07",
                "2026-12-06",
            )
            assert problem["detail"] == (
                "搬迁日期 2026-12-07 晚于今天（北京时间 2026-12-06），请在事情发生后再登记"
            )
            card = (await c.get(f"/registry/v1/households/{h['id']}", headers=REGISTRAR)).json()
            assert (card["area_code"], card["version"]) == (h["area_code"], h["version"])


async def test_an_unknown_village_is_404(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        h = await registered(c)
        r = await c.post(
            f"/registry/v1/households/{h['id']}/move",
            json=move_body("440783102299"),
            headers=COUNTY_REGISTRAR,
        )
        assert (r.status_code, r.json()["type"].rsplit("/", 1)[-1]) == (404, "area-not-found")


async def test_split_merge_and_moves_keep_counters_equal_to_a_recount(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await setup(c)
        kids = [member("child", name=f"子{i}", resident_id=person_id()) for i in range(3)]
        h = await registered(c, members=[member("head"), *kids], poverty_causes=["illness", "schooling"])
        other = await registered(c, members=[member("head")], area_code=OTHER_VILLAGE, batches=["education"])
        ids = [m["id"] for m in h["members"] if m["relation"] != "head"]
        r = await c.post(
            f"/registry/v1/households/{h['id']}/split",
            json={"member_ids": ids[:2], "new_head_id": ids[0], "reason": "分户"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201
        new = r.json()
        for hid, to in ((new["id"], VILLAGE_B), (other["id"], VILLAGE_T), (new["id"], VILLAGE_T)):
            r = await c.post(
                f"/registry/v1/households/{hid}/move", json=move_body(to), headers=CITY_REGISTRAR
            )
            assert r.status_code == 200, r.text
            await recount_matches_counters(app)
        # merging needs one village: move the remaining household there first, then merge
        r = await c.post(
            f"/registry/v1/households/{h['id']}/move",
            json=move_body(VILLAGE_T, reason="family"),
            headers=CITY_REGISTRAR,
        )
        assert r.status_code == 200
        merging = (await c.get(f"/registry/v1/households/{new['id']}", headers=CITY_REGISTRAR)).json()
        r = await c.post(
            f"/registry/v1/households/{new['id']}/merge",
            json={"into_household_id": h["id"], "reason": "合户"},
            headers=CITY_REGISTRAR,
        )
        assert r.status_code == 200, r.text
        await recount_matches_counters(app)
        async with app.state.db.transaction() as s:
            before = (
                await s.execute(select(audit_log.c.before).where(audit_log.c.action == "household.merged"))
            ).scalar_one()
        # the trail keeps the merged household as it was, not as the merge left it
        assert (before["status"], before["member_count"], before["version"]) == (
            "registered", 2, merging["version"]
        )
        # the merged card says where it went in the clerk's words (stop 29: it read "merged into …")
        gone = (await c.get(f"/registry/v1/households/{new['id']}", headers=CITY_REGISTRAR)).json()
        assert gone["closed_reason"] == f"并入{h['household_number']}：合户"
