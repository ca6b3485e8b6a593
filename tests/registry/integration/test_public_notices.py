"""The public notice board (GET /public/notices): no token, masked names, never a resident ID."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.clock import clock
from tests.registry.integration.helpers import (
    OTHER_REGISTRAR,
    OTHER_VILLAGE,
    REGISTRAR,
    TOWN,
    VILLAGE,
    candidate,
    identify,
    load_areas,
    member,
    on_day,
    person_id,
    registered,
    registry_app,
)
from tests.registry.integration.test_exits_and_relapse import exited_household
from tests.support import service_client

pytestmark = pytest.mark.asyncio
BOARD = "/registry/v1/public/notices"
TODAY = clock.today()


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


async def in_notice(c, *, starts_on, **kw):
    """A candidate entered and reviewed the day before ``starts_on``, on notice from ``starts_on``
    (each step on its own day of the platform clock)."""
    eve = starts_on - timedelta(days=1)
    with on_day(eve):
        h = await candidate(c, **kw)
    headers = REGISTRAR if h["area_code"] == VILLAGE else OTHER_REGISTRAR
    await identify(c, h, clerk=headers, notice_from=starts_on, until="notice")
    return h


async def board(c, **params):
    r = await c.get(BOARD, params=params)  # no Authorization header
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_household_in_notice_is_on_the_board_masked_and_without_resident_ids(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        head_id, spouse_id = person_id(), person_id(sex="female")
        h = await in_notice(
            c,
            starts_on=TODAY - timedelta(days=2),
            members=[
                member("head", name="张三丰", resident_id=head_id),
                member("spouse", name="李小红", resident_id=spouse_id),
            ],
            poverty_causes=["illness", "disability"],
        )
        r = await c.post(
            url(h, "/objections"),
            json={"content": "家中有车", "lodged_on": TODAY.isoformat()},
            headers=REGISTRAR,
        )
        assert r.status_code == 201, r.text
        r = await c.get(BOARD, params={"area_code": VILLAGE, "kind": "identification"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) == 1
        item = body["items"][0]
        assert item["kind"] == "identification"
        assert item["village_code"] == VILLAGE
        assert item["village_name"] == "步栏村"
        assert item["head_name_masked"] == "张**"
        assert item["member_count"] == 2
        assert item["poverty_causes"] == ["因病", "因残"]  # the board speaks Chinese
        assert item["poverty_cause_codes"] == ["illness", "disability"]
        assert item["notice_starts_on"] == (TODAY - timedelta(days=2)).isoformat()
        assert item["notice_last_day"] == (TODAY + timedelta(days=4)).isoformat()  # 7 days, both counted
        assert item["current"] is True
        assert item["open_objections"] == 1
        assert "步栏村村民委员会" in item["how_to_object"]
        assert "赤水镇" in item["how_to_object"]
        text = r.text
        for secret in (head_id, spouse_id, head_id[-4:] + '"', "张三丰", "李小红", h["id"]):
            assert secret not in text
        for m in h["members"]:
            assert m["resident_id_masked"] not in text


async def test_after_the_window_it_is_not_current_but_recent(make_db):
    app = registry_app(make_db("registry"))
    start = TODAY - timedelta(days=3)
    async with service_client(app) as c:
        await load_areas(c)
        await in_notice(c, starts_on=start)
        last_day = start + timedelta(days=6)
        clock.freeze(last_day)
        assert len((await board(c, area_code=VILLAGE))["items"]) == 1
        clock.freeze(last_day + timedelta(days=1))
        assert (await board(c, area_code=VILLAGE))["items"] == []
        recent = (await board(c, area_code=VILLAGE, current="false"))["items"]
        assert len(recent) == 1
        assert recent[0]["current"] is False
        clock.freeze(last_day + timedelta(days=31))
        assert (await board(c, area_code=VILLAGE, current="false"))["items"] == []
        clock.freeze(start - timedelta(days=1))  # not started yet
        assert (await board(c, area_code=VILLAGE))["items"] == []


async def test_rejected_leaves_the_board_and_confirmed_is_only_recent(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rejected = await in_notice(c, starts_on=TODAY - timedelta(days=1))
        assert len((await board(c, area_code=VILLAGE))["items"]) == 1
        r = await c.post(url(rejected, "/rejection"), json={"reason": "核实不符"}, headers=REGISTRAR)
        assert r.status_code == 200, r.text
        assert (await board(c, area_code=VILLAGE))["items"] == []
        assert (await board(c, area_code=VILLAGE, current="false"))["items"] == []

        h = await registered(c)  # notice from 10 days ago, confirmed, registered
        assert h["status"] == "registered"
        assert (await board(c, area_code=VILLAGE))["items"] == []
        recent = (await board(c, area_code=VILLAGE, current="false", kind="identification"))["items"]
        assert [i["notice_starts_on"] for i in recent] == [(TODAY - timedelta(days=10)).isoformat()]


async def test_an_exited_household_is_on_the_exit_board_during_its_exit_notice(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await exited_household(app, c)  # verified 2018-11-30, notice until 2018-12-06
        clock.freeze(date(2018, 12, 6))
        items = (await board(c, area_code=VILLAGE, kind="exit"))["items"]
        assert len(items) == 1
        item = items[0]
        assert item["kind"] == "exit"
        assert item["exited_on"] == "2018-11-30"
        assert item["notice_starts_on"] == "2018-11-30"
        assert item["notice_last_day"] == "2018-12-06"
        assert item["poverty_causes"] is None
        # the exit notice tells the public how to object too (stop 26: it was null), as identification's
        assert item["how_to_object"].startswith("对本户脱贫退出有异议的，请于2018年12月6日前（含当日）向")
        assert "村民委员会" in item["how_to_object"]
        assert "12317" in item["how_to_object"]
        assert item["head_name_masked"] == "王**"
        assert (await board(c, area_code=VILLAGE, kind="identification"))["items"] == []
        # the kind by the heading the board prints finds what the code finds
        assert (await board(c, area_code=VILLAGE, kind="贫困户退出公示"))["items"] == items
        assert (await board(c, area_code=VILLAGE, kind=" 贫困户退出公示 "))["items"] == items
        assert (await board(c, area_code=VILLAGE, kind="贫困户识别公示"))["items"] == []
        assert len((await board(c, area_code=VILLAGE))["items"]) == 1  # both kinds
        clock.freeze(date(2018, 12, 7))
        assert (await board(c, area_code=VILLAGE, kind="exit"))["items"] == []
        assert len((await board(c, area_code=VILLAGE, kind="exit", current="false"))["items"]) == 1
        clock.freeze(date(2018, 11, 29))
        assert (await board(c, area_code=VILLAGE, kind="exit"))["items"] == []


async def test_a_village_shows_only_its_own_households_and_pages_by_cursor(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        start = TODAY - timedelta(days=1)
        for _ in range(3):
            await in_notice(c, starts_on=start)
        await in_notice(c, starts_on=start, area_code=OTHER_VILLAGE)
        own = (await board(c, area_code=VILLAGE))["items"]
        assert len(own) == 3
        assert {i["village_code"] for i in own} == {VILLAGE}
        other = (await board(c, area_code=OTHER_VILLAGE))["items"]
        assert [i["village_name"] for i in other] == ["林屋村"]
        seen, cursor = [], None
        while True:
            params = {"area_code": TOWN, "limit": 1} | ({"cursor": cursor} if cursor else {})
            page = await board(c, **params)
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == 4
        assert [i["village_code"] for i in seen] == sorted(i["village_code"] for i in seen)
        assert (await c.get(BOARD, params={"area_code": TOWN, "limit": 201})).status_code == 422


async def test_bad_unknown_or_too_wide_area_codes_are_problems(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        for params, status in [
            ({"area_code": "44078310120"}, 422),
            ({"area_code": "4407831012010"}, 422),
            ({"area_code": "44078310120x"}, 422),
            ({}, 422),
            ({"area_code": "440000000000"}, 422),  # a province is not a board
            ({"area_code": VILLAGE, "kind": "relapse"}, 422),
            ({"area_code": VILLAGE, "cursor": "bm9wZQ"}, 404),  # well formed, never given out
            ({"area_code": "440783101299"}, 404),
        ]:
            r = await c.get(BOARD, params=params)
            assert r.status_code == status, (params, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        # a kind on no list is refused naming the kinds in the board's words, not an empty board
        r = await c.get(BOARD, params={"area_code": VILLAGE, "kind": "贫困户返贫公示"})
        assert r.status_code == 422, r.text
        assert "贫困户识别公示、贫困户退出公示" in r.json()["detail"], r.text
