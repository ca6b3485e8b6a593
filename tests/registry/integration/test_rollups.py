"""Roll-up numbers against hand-counted fixtures, scoped by the caller's area."""

from __future__ import annotations

import pytest

from shared.pagination import encode_cursor
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
COUNTY_READER = auth("auditor", "440783000000")


def family(n):
    return [member("head")] + [member("child", name=f"子{i}", resident_id=person_id()) for i in range(n - 1)]


async def test_rollups_match_hand_counts_at_village_township_and_county(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        # village 201: registered 3 persons (illness), registered 4 persons (illness, schooling),
        # candidate 2 persons; village 202: registered 5 persons (disaster)
        await registered(c, members=family(3), poverty_causes=["illness"])
        await registered(c, members=family(4), poverty_causes=["illness", "schooling"], batches=["education"])
        await candidate(c, members=family(2))
        await registered(c, members=family(5), poverty_causes=["disaster"], area_code=OTHER_VILLAGE)

        v = (await c.get(f"/registry/v1/rollups/{VILLAGE}?year=2018", headers=REGISTRAR)).json()
        assert v["by_status"] == {
            "candidate": {"households": 1, "persons": 2},
            "registered": {"households": 2, "persons": 7},
        }
        assert v["by_cause"] == {
            "illness": {"households": 2, "persons": 7},
            "schooling": {"households": 1, "persons": 4},
        }
        assert v["by_batch"] == {
            "education": {"households": 1, "persons": 4},
            "production_employment": {"households": 1, "persons": 3},
        }
        assert v["entries_by_year"] == {"2017": {"households": 2, "persons": 7}}
        assert (v["poor_persons"], v["rural_population"], v["incidence_bp"]) == (7, 1_000, 70)
        assert v["meets_exit_incidence"] is True
        assert v["pyramid_level"] == "register"

        county = (await c.get("/registry/v1/rollups/440783000000?year=2018", headers=COUNTY_READER)).json()
        assert county["by_status"]["registered"] == {"households": 3, "persons": 12}
        assert county["poor_persons"] == 12
        assert county["rural_population"] == 2_000
        assert county["incidence_bp"] == 60
        assert county["pyramid_level"] == "file"

        pyramid = (
            await c.get("/registry/v1/rollups/440783101000/pyramid?year=2018", headers=COUNTY_READER)
        ).json()
        assert pyramid["area"]["pyramid_level"] == "book"
        assert pyramid["area"]["rural_population"] == 2_000  # the town has none of its own: sum of villages
        assert {k["area_code"]: k["poor_persons"] for k in pyramid["children"]} == {
            VILLAGE: 7,
            OTHER_VILLAGE: 5,
        }

        charts = (await c.get(f"/registry/v1/rollups/{VILLAGE}/charts?year=2018", headers=REGISTRAR)).json()
        assert len(charts["household_targets"]) == 2
        assert charts["village_target"]["max_poor_persons_to_exit"] == 30
        assert charts["in_out"] == {"2017": {"entries": {"households": 2, "persons": 7}}}


async def test_a_village_registrar_cannot_read_another_villages_rollup(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        assert (await c.get(f"/registry/v1/rollups/{VILLAGE}", headers=OTHER_REGISTRAR)).status_code == 404
        assert (await c.get("/registry/v1/rollups/440783000000", headers=REGISTRAR)).status_code == 404


async def test_life_changes_keep_counters_exact(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c, members=family(4), poverty_causes=["illness"])
        ids = [m["id"] for m in h["members"] if m["relation"] != "head"]
        base = f"/registry/v1/households/{h['id']}"
        r = await c.post(
            base + "/members",
            json={"member": member("child", name="新生", resident_id=person_id()), "reason": "birth"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201
        r = await c.post(
            base + f"/members/{ids[0]}/removal",
            json={"reason": "death", "on": "2018-02-01"},
            headers=REGISTRAR,
        )
        assert r.status_code == 204
        r = await c.post(
            base + "/split",
            json={"member_ids": ids[1:], "new_head_id": ids[1], "reason": "分户"},
            headers=REGISTRAR,
        )
        assert r.status_code == 201
        new = r.json()
        assert new["status"] == "registered"
        assert new["member_count"] == 2
        assert new["household_number"]
        v = (await c.get(f"/registry/v1/rollups/{VILLAGE}", headers=REGISTRAR)).json()
        assert v["by_status"]["registered"] == {"households": 2, "persons": 4}  # 4 + 1 - 1 = 4 across two
        r = await c.post(
            f"/registry/v1/households/{new['id']}/merge",
            json={"into_household_id": h["id"], "reason": "合户"},
            headers=REGISTRAR,
        )
        assert r.status_code == 200
        assert r.json()["member_count"] == 4
        v = (await c.get(f"/registry/v1/rollups/{VILLAGE}", headers=REGISTRAR)).json()
        assert v["by_status"] == {
            "registered": {"households": 1, "persons": 4},
            "removed": {"households": 1, "persons": 0},
        }
        assert v["by_cause"] == {"illness": {"households": 1, "persons": 4}}


async def test_head_change_and_member_rules_over_http(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        head = next(m for m in h["members"] if m["relation"] == "head")
        spouse = next(m for m in h["members"] if m["relation"] == "spouse")
        base = f"/registry/v1/households/{h['id']}"
        r = await c.post(
            base + f"/members/{head['id']}/removal",
            json={"reason": "death", "on": "2018-01-01"},
            headers=REGISTRAR,
        )
        assert r.status_code == 409
        assert (
            await c.post(
                base + "/head",
                json={"member_id": spouse["id"], "reason": "户主去世前变更"},
                headers=REGISTRAR,
            )
        ).status_code == 204
        r = await c.post(
            base + f"/members/{head['id']}/removal",
            json={"reason": "death", "on": "2018-01-01"},
            headers=REGISTRAR,
        )
        assert r.status_code == 204
        card = (await c.get(base, headers=REGISTRAR)).json()
        assert card["head_name"] == "李小红"
        assert card["member_count"] == 1
        # the departed member's identity is free again
        again = await candidate(c, members=[member("head", resident_id=None)])
        assert again["status"] == "candidate"


async def test_updates_need_the_current_etag(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        base = f"/registry/v1/households/{h['id']}"
        assert (await c.patch(base, json={"dibao": True}, headers=REGISTRAR)).status_code == 428
        r = await c.patch(base, json={"dibao": True}, headers=REGISTRAR | {"If-Match": '"1"'})
        assert r.status_code == 200
        assert r.headers["ETag"] == '"2"'
        assert r.json()["dibao"] is True
        r = await c.patch(base, json={"dibao": False}, headers=REGISTRAR | {"If-Match": '"1"'})
        assert r.status_code == 412
        assert (await c.get(base, headers=REGISTRAR)).json()["dibao"] is True


async def test_search_by_status_cause_name_exact_id_and_cursor_pages(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        known = person_id()
        target = await candidate(
            c, members=[member("head", name="赵铁柱", resident_id=known)], poverty_causes=["disaster"]
        )
        for _ in range(4):
            await candidate(c, members=[member("head", resident_id=person_id())])
        q = "/registry/v1/households"
        found = (await c.get(q, params={"resident_id": known}, headers=REGISTRAR)).json()["items"]
        assert [h["id"] for h in found] == [target["id"]]
        assert [
            h["id"] for h in (await c.get(q, params={"name": "赵"}, headers=REGISTRAR)).json()["items"]
        ] == [target["id"]]
        assert len((await c.get(q, params={"cause": "disaster"}, headers=REGISTRAR)).json()["items"]) == 1
        assert len((await c.get(q, params={"status": "registered"}, headers=REGISTRAR)).json()["items"]) == 0
        seen, cursor = [], None
        while True:
            page = (
                await c.get(
                    q, params={"limit": 2} | ({"cursor": cursor} if cursor else {}), headers=REGISTRAR
                )
            ).json()
            seen += [h["id"] for h in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 5
        assert (
            await c.get(q, params={"cursor": encode_cursor({"x": 1})}, headers=REGISTRAR)
        ).status_code == 404  # well formed, never given out: cursor-not-found
        assert (await c.get(q, params={"cursor": "%%%"}, headers=REGISTRAR)).status_code == 422
        assert (await c.get(q, params={"limit": 201}, headers=REGISTRAR)).status_code == 422


async def test_a_batch_change_is_published_for_the_plans_that_read_it(make_db):
    from sqlalchemy import select

    from shared.tables import outbox

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        base = f"/registry/v1/households/{h['id']}"
        r = await c.patch(
            base, json={"batches": ["production_employment"]}, headers=REGISTRAR | {"If-Match": '"1"'}
        )
        assert r.status_code == 200, r.text
    async with app.state.db.transaction() as s:
        rows = (
            await s.execute(select(outbox.c.envelope).where(outbox.c.type == "registry.household.updated.v1"))
        ).scalars().all()
    assert rows[-1]["data"]["batches"] == ["production_employment"]
    assert "poverty_causes" in rows[-1]["data"]
