"""Roll-ups that leave the system (the public, machine clients, third-party evaluators) hide cells
of fewer than k households and whatever would give them away; the registry's own staff see exact
figures."""

from __future__ import annotations

import json

import pytest

from services.registry.policies.repository import path_prefixes
from services.registry.rollups.repository import _POLICIES_READ, RollupRepository
from shared.db import read_rows
from tests.registry.integration.helpers import (
    ADMIN,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
TOWN = "440783101000"
EVALUATOR = auth("evaluator", "440783000000")
PLATFORM = auth("service", "440000000000")
TOWN_APPROVER = auth("approver", TOWN)


def family(n: int) -> list[dict[str, object]]:
    return [member("head")] + [member("child", name=f"子{i}", resident_id=person_id()) for i in range(n - 1)]


def _reasons(answer: dict[str, object]) -> dict[str, str]:
    return {c["path"]: c["reason_zh"] for c in answer["suppressed"]}  # type: ignore[attr-defined,index]


async def _two_villages(c) -> None:  # type: ignore[no-untyped-def]
    # village 201: 3 poor households, all 因病; village 202: 6 poor households, 4 因病 and 2 因残.
    # The town's totals (9 households, 7 因病) minus village 202's would give village 201's away.
    for size in (2, 3, 4):
        await registered(c, members=family(size), poverty_causes=["illness"])
    for i in range(6):
        await registered(
            c,
            members=family(2),
            poverty_causes=["illness" if i < 4 else "disability"],
            area_code=OTHER_VILLAGE,
        )


async def test_outside_readers_get_small_cells_hidden_and_the_cells_that_would_reveal_them(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await _two_villages(c)

        exact = (await c.get(f"/registry/v1/rollups/{TOWN}/pyramid?year=2018", headers=TOWN_APPROVER)).json()
        assert exact["exact"] is True
        assert exact["suppressed"] == []
        kids = {k["area_code"]: k for k in exact["children"]}
        assert kids[VILLAGE]["poor_households"] == 3
        assert kids[VILLAGE]["by_status"] == {"registered": {"households": 3, "persons": 9}}
        assert exact["area"]["by_cause"]["disability"] == {"households": 2, "persons": 4}

        for headers in (EVALUATOR, PLATFORM, None):
            url = f"/registry/v1/{'public/' if headers is None else ''}rollups/{TOWN}"
            r = await c.get(
                url + ("" if headers is None else "/pyramid") + "?year=2018", headers=headers or {}
            )
            assert r.status_code == 200, r.text
            out = r.json()
            assert out["exact"] is False
            assert out["min_cell_households"] == 5
            kids = {k["area_code"]: k for k in out["children"]}
            small, big = kids[VILLAGE], kids[OTHER_VILLAGE]
            # the town's totals stay
            assert out["area"]["poor_households"] == 9
            assert out["area"]["by_status"]["registered"] == {"households": 9, "persons": 21}
            # village 201: every figure counts 3 households — hidden as a small cell
            assert small["poor_households"] is None
            assert small["poor_persons"] is None
            assert small["incidence_bp"] is None
            assert small["by_status"]["registered"] == {"households": None, "persons": None}
            reasons = _reasons(out)
            assert reasons[f"children.{VILLAGE}.by_status.registered"] == "小于5户"
            assert reasons[f"children.{VILLAGE}.poor_households"] == "小于5户"
            # village 202's figures would give 201's away (9 − 6): hidden too, as secondary
            assert big["poor_households"] is None
            assert big["by_status"]["registered"] == {"households": None, "persons": None}
            assert reasons[f"children.{OTHER_VILLAGE}.poor_households"] == "防止由合计推算（次级隐藏）"
            assert reasons[f"children.{OTHER_VILLAGE}.by_status.registered"] == "防止由合计推算（次级隐藏）"
            # the town's 2 因残 households are a small cell of their own; the next smallest cause
            # goes with it, so the pair cannot be split by subtraction
            assert out["area"]["by_cause"]["disability"] == {"households": None, "persons": None}
            assert out["area"]["by_cause"]["illness"] == {"households": None, "persons": None}
            assert reasons["area.by_cause.disability"] == "小于5户"
            assert reasons["area.by_cause.illness"] == "防止由合计推算（次级隐藏）"
            # no hidden cell is a published total minus published cells: each column of statuses
            # under a published town figure hides none or at least two villages
            for status, total in out["area"]["by_status"].items():
                shown = [k["by_status"].get(status, {"households": 0})["households"] for k in out["children"]]
                assert shown.count(None) != 1 or total["households"] is None

        # a single village read by an evaluator: its own roll-up and its five charts
        v = (await c.get(f"/registry/v1/rollups/{VILLAGE}?year=2018", headers=EVALUATOR)).json()
        assert v["poor_households"] is None
        assert v["by_status"]["registered"]["households"] is None
        assert _reasons(v)["by_status.registered"] == "小于5户"
        charts = (await c.get(f"/registry/v1/rollups/{VILLAGE}/charts?year=2018", headers=EVALUATOR)).json()
        assert charts["household_targets"] == []
        assert charts["village_target"]["poor_persons"] is None
        assert {"path": "household_targets", "reason": "households", "reason_zh": "不向外部提供户级数据"} in (
            charts["suppressed"]
        )
        mine = (await c.get(f"/registry/v1/rollups/{VILLAGE}/charts?year=2018", headers=REGISTRAR)).json()
        assert len(mine["household_targets"]) == 3
        assert mine["village_target"]["poor_persons"] == 9


async def test_k_is_policy_data_per_area_and_year(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await _two_villages(c)
        record = {
            "area_prefix": "440783",
            "year": 2018,
            "source": "合成示例: k=3",
            "disclosure_min_households": 3,
        }
        assert (await c.put("/registry/v1/policies", json=record, headers=ADMIN)).status_code == 204
        policy = (await c.get(f"/registry/v1/policies/{VILLAGE}/2018", headers=REGISTRAR)).json()
        assert policy["disclosure_min_households"] == 3
        out = (await c.get(f"/registry/v1/public/rollups/{TOWN}?year=2018")).json()
        assert out["min_cell_households"] == 3
        kids = {k["area_code"]: k for k in out["children"]}
        assert kids[VILLAGE]["poor_households"] == 3  # three households is no longer a small cell
        assert out["area"]["by_cause"]["disability"] == {"households": None, "persons": None}
        # in 2017 the national 5 is still in force
        older = (await c.get(f"/registry/v1/public/rollups/{TOWN}?year=2017")).json()
        assert older["min_cell_households"] == 5


async def test_the_public_roll_up_of_an_unknown_area_is_a_404_problem(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        r = await c.get("/registry/v1/public/rollups/449999999999")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_roll_up_read_again_follows_a_policy_changed_in_between(make_db):
    """The roll-up keeps each resolved policy for the next read (per text of the records, area and
    year): a record changed is another text, so the next read resolves it anew."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await _two_villages(c)
        url = f"/registry/v1/rollups/{TOWN}?year=2018"
        before = [(await c.get(url, headers=EVALUATOR)).json() for _ in range(2)]
        assert [b["min_cell_households"] for b in before] == [5, 5]
        record = {
            "area_prefix": "440783",
            "year": 2018,
            "source": "合成示例: k=3",
            "disclosure_min_households": 3,
        }
        assert (await c.put("/registry/v1/policies", json=record, headers=ADMIN)).status_code == 204
        after = (await c.get(url, headers=EVALUATOR)).json()
        assert after["min_cell_households"] == 3
        record |= {"area_prefix": "440783101", "disclosure_min_households": 4}  # the town's own
        assert (await c.put("/registry/v1/policies", json=record, headers=ADMIN)).status_code == 204
        assert (await c.get(url, headers=EVALUATOR)).json()["min_cell_households"] == 4
        # the same record changed (same id, another version of its row)
        tag = (await c.get("/registry/v1/policies/records/440783101/2018", headers=ADMIN)).headers["etag"]
        record["disclosure_min_households"] = 2
        changed = await c.put("/registry/v1/policies", json=record, headers=ADMIN | {"If-Match": tag})
        assert changed.status_code == 204
        assert (await c.get(url, headers=EVALUATOR)).json()["min_cell_households"] == 2
        # another year of the same area still reads its own policy (the national 5 in 2017)
        older = (await c.get(f"/registry/v1/rollups/{TOWN}?year=2017", headers=EVALUATOR)).json()
        assert older["min_cell_households"] == 5


async def test_a_roll_up_names_the_policy_records_it_reads_by_the_same_rows(make_db):
    """The roll-up reads its policy records' text only for a name it has not seen: the name lists
    the very records (ids) the text holds, at every level and year."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        record = {"area_prefix": "440783101", "year": 2018, "source": "合成", "disclosure_min_households": 3}
        assert (await c.put("/registry/v1/policies", json=record, headers=ADMIN)).status_code == 204
        async with app.state.db.reading() as session:
            seen = 0
            for code in ("440000000000", "440783000000", TOWN, VILLAGE):
                for year in (2010, 2017, 2018, 2030):
                    on_path = {"year": year, "policy_prefixes": path_prefixes(code)}
                    found = (await read_rows(session, _POLICIES_READ, on_path))[0]
                    read = await RollupRepository(session).read(code, year)
                    assert read is not None
                    if found["policies_name"] is None:  # no record yet that year
                        assert found["policies"] is None
                        assert read.policies_text is None
                        continue
                    named = [record_id for record_id, _ in json.loads(found["policies_name"])]
                    held = sorted(row["id"] for row in json.loads(found["policies"]))
                    assert named == held, (code, year)
                    assert read.policies_text is not None
                    assert sorted(row["id"] for row in json.loads(read.policies_text)) == held
                    seen += len(held)
            assert seen > 16  # the national records and the town's own were among them
