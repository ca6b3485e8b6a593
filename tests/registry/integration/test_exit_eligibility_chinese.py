"""The registrar's "what is still missing" page (GET …/exit-eligibility) answers in Chinese by
default, each criterion named as the exit form names it, and in English with
``Accept-Language: en``. Found running the system as a village registrar (stop 25): every detail was
English ("no income channel recorded", "not met: compulsory_education, …")."""

from __future__ import annotations

import pytest

from tests.registry.integration.helpers import REGISTRAR, load_areas, registered, registry_app
from tests.registry.integration.test_area_rules import GANSU_REGISTRAR, _gansu_registered, _income
from tests.registry.integration.test_exits_and_relapse import make_eligible
from tests.support import service_client

pytestmark = pytest.mark.asyncio


def url(h, path=""):
    return f"/registry/v1/households/{h['id']}{path}"


def details(r):
    assert r.status_code == 200, r.text
    return {x["criterion"]: x["detail"] for x in r.json()["criteria"]}


# the policy's words as the clerk reads them: without the project's reference "(seed 004 §七(五))"
KAIPING_LINE = "对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶"
INCOME = "人均纯收入达到或超过当年扶贫标准："  # Kaiping's reading of its line (seed 004 §七(五))
DEBT = "无因病、因学、因房大额负债："
NEEDS = "两不愁三保障："


async def test_exit_eligibility_speaks_chinese_to_a_clerk(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        r = await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR)
        assert "Accept-Language" in r.headers["vary"]
        assert details(r) == {
            "income_above_line": f"{INCOME}未录入2018年的人均纯收入；"
            f"须达到或超过当年标准线4,000.00元（{KAIPING_LINE}）",
            "income_channel": "有稳定收入来源：未录入收入来源",
            "no_large_debt": f"{DEBT}没有达到或超过50,000.00元的未还清负债",
            "basic_needs_met": f"{NEEDS}以下几项未达到：吃不愁、穿不愁、饮水安全、"
            "义务教育有保障、基本医疗有保障、住房安全有保障",
        }
        english = details(
            await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR | {"Accept-Language": "en"})
        )
        assert english["income_channel"] == "no income channel recorded"

        await make_eligible(c, h)
        debt = {"cause": "因病", "amount_fen": 5_000_000, "recorded_on": "2018-01-01"}
        assert (await c.post(url(h, "/debts"), json=debt, headers=REGISTRAR)).status_code == 201
        r = await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR)
        assert details(r) == {
            "income_above_line": f"{INCOME}2018年人均纯收入5,000.00元，"
            f"已达到或超过标准线4,000.00元（{KAIPING_LINE}）",
            "income_channel": "有稳定收入来源：工资性收入",  # entered as the code "wages"
            "no_large_debt": f"{DEBT}因病负债50,000.00元，达到或超过50,000.00元，须先还清",
            "basic_needs_met": f"{NEEDS}已全部达到",
        }


async def test_the_income_criterion_is_named_as_the_areas_rule_reads_its_line(make_db):
    """Kaiping exits a household at or above its line (达到或超过), Gansu only stably above it
    (稳定超过): the criterion's name on the registrar's page and in a refusal says which."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        kaiping = await registered(c)
        r = await c.get(url(kaiping, "/exit-eligibility?year=2018"), headers=REGISTRAR)
        assert details(r)["income_above_line"].startswith("人均纯收入达到或超过当年扶贫标准：")
        refused = await c.post(url(kaiping, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        assert refused.status_code == 409
        assert "人均纯收入达到或超过当年扶贫标准" in refused.json()["detail"]
        assert "稳定超过" not in refused.json()["detail"]

        gansu = await _gansu_registered(c)
        await _income(c, gansu, GANSU_REGISTRAR, 353_500)  # exactly Gansu's 2018 line: not above it
        r = await c.get(url(gansu, "/exit-eligibility?year=2018"), headers=GANSU_REGISTRAR)
        assert details(r)["income_above_line"].startswith("人均纯收入稳定超过当年扶贫标准：")
        refused = await c.post(url(gansu, "/exit-requests"), json={"year": 2018}, headers=GANSU_REGISTRAR)
        assert refused.json()["detail"] == "该户未达到退出标准，未达标的项目：人均纯收入稳定超过当年扶贫标准"


async def test_the_exit_request_keeps_the_chinese_the_registrar_read(make_db):
    """Found running the system (stop 26): the eligibility page answered in Chinese, but the exit
    request it led to (201, and the request list) showed the same criteria in English ("two
    assurances and three guarantees met"). Both now answer in the caller's language."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        await make_eligible(c, h)
        page = details(await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR))
        made = await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        assert made.status_code == 201, made.text
        assert {x["criterion"]: x["detail"] for x in made.json()["eligibility"]} == page
        listed = await c.get(url(h, "/exit-requests"), headers=REGISTRAR)
        assert {x["criterion"]: x["detail"] for x in listed.json()[0]["eligibility"]} == page
        english = await c.get(url(h, "/exit-requests"), headers=REGISTRAR | {"Accept-Language": "en"})
        needs = {x["criterion"]: x["detail"] for x in english.json()[0]["eligibility"]}["basic_needs_met"]
        assert needs == "two assurances and three guarantees met"


async def test_each_exit_criterion_carries_its_name_on_the_exit_form(make_db):
    """The page and the exit request name each criterion as the form does (criterion_label), the
    income one as the area's rule reads its line (Kaiping: 达到或超过), in either language."""
    app = registry_app(make_db("registry"))
    names = {
        "income_above_line": "人均纯收入达到或超过当年扶贫标准",
        "income_channel": "有稳定收入来源",
        "no_large_debt": "无因病、因学、因房大额负债",
        "basic_needs_met": "两不愁三保障",
    }
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        await make_eligible(c, h)
        for language in ("zh-CN", "en"):
            headers = REGISTRAR | {"Accept-Language": language}
            page = (await c.get(url(h, "/exit-eligibility?year=2018"), headers=headers)).json()
            assert {x["criterion"]: x["criterion_label"] for x in page["criteria"]} == names
        made = await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        assert {x["criterion"]: x["criterion_label"] for x in made.json()["eligibility"]} == names
        listed = await c.get(url(h, "/exit-requests"), headers=REGISTRAR | {"Accept-Language": "en"})
        assert {x["criterion"]: x["criterion_label"] for x in listed.json()[0]["eligibility"]} == names


async def test_the_refusal_lists_each_criterion_as_the_page_words_it(make_db):
    """A 409 exit-not-eligible listed each criterion with an English ``detail`` ("no income channel
    recorded") beside ``detail_zh``: the clerk's screen showed the English. Each item now says it in
    the caller's language, as the eligibility page does (``detail_zh`` kept for clients reading it)."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await registered(c)
        page = details(await c.get(url(h, "/exit-eligibility?year=2018"), headers=REGISTRAR))
        refused = await c.post(url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR)
        assert refused.status_code == 409
        items = refused.json()["eligibility"]
        assert {x["criterion"]: x["detail"] for x in items} == page
        assert {x["criterion"]: x["detail_zh"] for x in items} == page
        english = await c.post(
            url(h, "/exit-requests"), json={"year": 2018}, headers=REGISTRAR | {"Accept-Language": "en"}
        )
        english_items = {x["criterion"]: x["detail"] for x in english.json()["eligibility"]}
        assert english_items["income_channel"] == "no income channel recorded"
