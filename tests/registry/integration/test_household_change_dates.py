"""A clerk's changes to a household card cannot be dated after today (China date): a member who
died or married out "tomorrow", a large debt recorded next week, or a per-capita income for a year
that has not begun are 422 ``date-in-future`` with a Chinese reason, and nothing is written. Found
by running the system as a village registrar (stop 25); the spreadsheet import of incomes already
refused a year after this one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.clock import clock
from shared.resident_id import make
from tests.registry.integration.helpers import REGISTRAR, candidate, load_areas, registry_app
from tests.support import service_client

pytestmark = pytest.mark.asyncio


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


def assert_future_refused(r, field, entered):
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"].endswith("/date-in-future")
    assert body["title"] == "日期不能晚于今天"
    assert body["field"] == field
    assert body["entered"] == entered
    assert body["today"] == clock.today().isoformat()
    assert f"北京时间 {clock.today().isoformat()}" in body["detail"]
    return body


async def test_a_member_cannot_leave_tomorrow_but_today(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        spouse = next(m for m in h["members"] if m["relation"] == "spouse")
        removal = url(h, f"/members/{spouse['id']}/removal")
        tomorrow = (clock.today() + timedelta(days=1)).isoformat()
        r = await c.post(removal, json={"reason": "死亡", "on": tomorrow}, headers=REGISTRAR)
        body = assert_future_refused(r, "on", tomorrow)
        assert body["detail"].startswith(f"减员日期 {tomorrow} 晚于今天")
        card = (await c.get(url(h), headers=REGISTRAR)).json()
        assert (card["member_count"], card["version"]) == (2, h["version"])
        assert spouse["id"] in {m["id"] for m in card["members"]}

        r = await c.post(removal, json={"reason": "死亡", "on": clock.today().isoformat()}, headers=REGISTRAR)
        assert r.status_code == 204, r.text
        assert (await c.get(url(h), headers=REGISTRAR)).json()["member_count"] == 1


async def test_a_member_cannot_have_left_before_they_were_born(make_db):
    """Walking a household's life (stop 29): a newborn's death entered as 2026-01-01, a typo for
    2026-12-06, was taken; the card then said the child left the household before being born."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        spouse = next(m for m in h["members"] if m["relation"] == "spouse")
        born = date.fromisoformat(spouse["birth_date"])
        removal = url(h, f"/members/{spouse['id']}/removal")
        with clock.frozen(date(2026, 12, 6)):
            before = (born - timedelta(days=1)).isoformat()
            r = await c.post(removal, json={"reason": "死亡", "on": before}, headers=REGISTRAR)
            assert r.status_code == 422, r.text
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["type"].endswith("/invalid-member")
            assert (body["field"], body["entered"], body["birth_date"]) == ("on", before, born.isoformat())
            assert body["detail"] == f"减员日期 {before} 早于该成员的出生日期 {born}，请核对"
            card = (await c.get(url(h), headers=REGISTRAR)).json()
            assert (card["member_count"], card["version"]) == (2, h["version"])

            r = await c.post(removal, json={"reason": "死亡", "on": born.isoformat()}, headers=REGISTRAR)
            assert r.status_code == 204, r.text


async def test_a_debt_cannot_be_recorded_for_next_week(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        next_week = (clock.today() + timedelta(days=7)).isoformat()
        debt = {"cause": "因病", "amount_fen": 6_000_000}
        r = await c.post(url(h, "/debts"), json=debt | {"recorded_on": next_week}, headers=REGISTRAR)
        assert_future_refused(r, "recorded_on", next_week)
        assert (await c.get(url(h), headers=REGISTRAR)).json()["debts"] == []

        today = clock.today().isoformat()
        r = await c.post(url(h, "/debts"), json=debt | {"recorded_on": today}, headers=REGISTRAR)
        assert r.status_code == 201, r.text


async def test_an_income_for_a_year_not_yet_begun_is_refused(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        this_year = clock.today().year
        r = await c.put(
            url(h, "/incomes"),
            json={"year": this_year + 1, "per_capita_income_fen": 600_000},
            headers=REGISTRAR,
        )
        body = assert_future_refused(r, "year", str(this_year + 1))
        assert f"{this_year + 1}年" in body["detail"]
        assert "请核对年度" in body["detail"]
        r = await c.get(url(h, f"/incomes/{this_year + 1}"), headers=REGISTRAR)
        assert r.status_code == 404
        r = await c.put(
            url(h, "/incomes"),
            json={"year": this_year + 1, "per_capita_income_fen": 600_000},
            headers=REGISTRAR | {"Accept-Language": "en"},
        )
        assert "after this year" in r.json()["detail"]

        r = await c.put(
            url(h, "/incomes"), json={"year": this_year, "per_capita_income_fen": 600_000}, headers=REGISTRAR
        )
        assert r.status_code == 204, r.text


async def test_a_resident_id_born_after_today_names_the_date_and_the_id(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        born = clock.today() + timedelta(days=30)
        rid = make("440783", born, 51, sex="male")
        child = {"name": "王小禾", "resident_id": rid, "relation": "子女", "labour_capacity": "未到劳动年龄"}
        r = await c.post(url(h, "/members"), json={"reason": "出生", "member": child}, headers=REGISTRAR)
        assert r.status_code == 422, r.text
        today = clock.today()
        assert r.json()["detail"] == (
            f"尾号为{rid[-4:]}的身份证号中的出生日期 {born} 晚于今天（北京时间 {today}），请核对身份证号"
        )
        assert (await c.get(url(h), headers=REGISTRAR)).json()["member_count"] == 2


async def test_a_member_who_already_left_is_named_with_the_day_and_why(make_db):
    """Found running the system (stop 26): removing a member a second time (the phone resent it, or
    two clerks) answered "成员 <uuid> 不是该户的在册成员" — no name, no word that the member had left."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        spouse = next(m for m in h["members"] if m["relation"] == "spouse")
        removal = url(h, f"/members/{spouse['id']}/removal")
        today = clock.today().isoformat()
        assert (
            await c.post(removal, json={"reason": "死亡", "on": today}, headers=REGISTRAR)
        ).status_code == 204
        again = await c.post(removal, json={"reason": "死亡", "on": today}, headers=REGISTRAR)
        assert again.status_code == 409
        assert again.json()["detail"] == f"{spouse['name']}已于{today}减员（死亡），不能再次减员"
        unknown = await c.post(
            url(h, "/members/00000000-0000-4000-8000-000000000000/removal"),
            json={"reason": "死亡", "on": today},
            headers=REGISTRAR,
        )
        assert unknown.status_code == 409
        assert unknown.json()["detail"] == "该户没有这名成员（00000000-0000-4000-8000-000000000000），请核对"
