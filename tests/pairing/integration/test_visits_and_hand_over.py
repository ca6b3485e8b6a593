"""Visits and offline batches, cadre scoping, suggestions and hand-over, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import gzip
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.pairing.models import Visit
from shared.clock import clock
from shared.tables import outbox
from tests.pairing.factories import OFFICE, OTHER_COUNTY, V1, V2, helper, household, pair
from tests.support import auth

pytestmark = pytest.mark.asyncio


async def _cadre_with_household(app: FastAPI, client: httpx.AsyncClient, sub: str) -> tuple[str, str]:
    cadre = await helper(client, user_sub=sub)
    household_id = await household(app)
    r = await pair(client, "cadre_household", cadre, household_id, started_on="2026-09-01")
    assert r.status_code == 201, r.text
    return cadre, household_id


def _visit(household_id: str, visited_on: str = "2026-11-20", **extra: object) -> dict[str, object]:
    return {
        "type": "visit",
        "id": str(uuid.uuid4()),
        "household_id": household_id,
        "visited_on": visited_on,
        "kind": "home_visit",
        "notes": "讲解医保政策",
        "measures": ["办理慢病卡"],
        "household_confirmed": True,
        "satisfaction": "satisfied",
        **extra,
    }


async def test_a_batch_sent_twice_is_stored_once_and_a_partly_bad_batch_reports_each_record(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, household_id = await _cadre_with_household(app, client, "cadre-wang")
    me = auth(["cadre"], V1, sub="cadre-wang")
    good = _visit(household_id)
    plan = {
        "type": "ledger_entry",
        "id": str(uuid.uuid4()),
        "household_id": household_id,
        "ledger": "plan",
        "year": 2026,
        "entry_on": "2026-11-20",
        "content": "发展养鸡, 年增收3000元",
    }
    before_pairing = _visit(household_id, visited_on="2026-08-31")
    future = _visit(household_id, visited_on="2026-11-23")
    malformed = {"type": "visit", "id": "not-a-uuid", "household_id": household_id}
    batch = {"records": [good, plan, before_pairing, future, malformed]}

    first = await client.post("/pairing/v1/sync/batches", json=batch, headers=me | {"Accept-Language": "en"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["stored"], body["duplicates"], body["rejected"], body["conflicts"]) == (2, 0, 3, 0)
    outcomes = [(r["index"], r["outcome"]) for r in body["results"]]
    assert outcomes == [(0, "stored"), (1, "stored"), (2, "rejected"), (3, "rejected"), (4, "rejected")]
    # the phone shows what became of each record in words, not the code
    assert [r["outcome_label"] for r in body["results"]] == ["已保存", "已保存", "未保存", "未保存", "未保存"]
    assert "not paired" in body["results"][2]["reason"]
    assert "future" in body["results"][3]["reason"]
    assert body["results"][4]["reason"].startswith("id:")

    again = (await client.post("/pairing/v1/sync/batches", json=batch, headers=me)).json()
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 2, 3)
    async with app.state.db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(Visit))).scalar_one() == 1
        events = await s.execute(select(func.count()).where(outbox.c.type == "pairing.visit.recorded.v2"))
        assert events.scalar_one() == 1
        # the household's answer travels with the visit (inspection's progress reports count it)
        visit_event = select(outbox.c.envelope).where(outbox.c.type == "pairing.visit.recorded.v2")
        envelope = (await s.execute(visit_event)).scalar_one()
        assert envelope["data"]["satisfaction"] == "satisfied"

    reused = {**good, "notes": "另一条记录"}
    conflict = (await client.post("/pairing/v1/sync/batches", json={"records": [reused]}, headers=me)).json()
    assert conflict["results"][0]["outcome"] == "conflict"

    visits = (await client.get(f"/pairing/v1/households/{household_id}/visits", headers=me)).json()["items"]
    assert [(v["visited_on"], v["satisfaction"], v["measures"]) for v in visits] == [
        ("2026-11-20", "satisfied", ["办理慢病卡"])
    ]
    # the clerk reads the Chinese next to each code (GET /pairing/v1/vocabulary's words)
    assert [(v["kind"], v["kind_label"], v["satisfaction_label"]) for v in visits] == [
        ("home_visit", "入户走访", "满意")
    ]
    ledgers = (
        await client.get(f"/pairing/v1/households/{household_id}/ledgers?ledger=plan", headers=me)
    ).json()["items"]
    assert [(e["content"], e["ledger_label"]) for e in ledgers] == [("发展养鸡, 年增收3000元", "脱贫计划")]


async def test_single_visit_refused_with_409_and_a_resend_answers_200(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, household_id = await _cadre_with_household(app, client, "cadre-li")
    me = auth(["cadre"], V1, sub="cadre-li")
    visit = _visit(household_id)
    visit.pop("type")
    assert (await client.post("/pairing/v1/visits", json=visit, headers=me)).status_code == 201
    assert (await client.post("/pairing/v1/visits", json=visit, headers=me)).status_code == 200
    early = await client.post(
        "/pairing/v1/visits", json={**visit, "id": str(uuid.uuid4()), "visited_on": "2026-01-01"}, headers=me
    )
    assert early.status_code == 409
    assert early.json()["type"].endswith("visit-not-allowed")
    # the cadre reads why, in Chinese: not their household on that day
    assert early.json()["detail"] == (
        "2026-01-01这天您没有与该户结对，不能登记这天的记录；请核对日期，或请扶贫办核实结对关系"
    )
    future = await client.post(
        "/pairing/v1/visits", json={**visit, "id": str(uuid.uuid4()), "visited_on": "2026-11-23"}, headers=me
    )
    # a date no one can know yet is bad input (422 date-in-future), as in every service; nothing written
    assert (future.status_code, future.json()["type"].rsplit("/", 1)[1]) == (422, "date-in-future")
    assert future.json()["detail"] == (
        f"走访日期 2026-11-23 晚于今天（北京时间 {clock.today()}），请在事情发生后再登记"
    )
    assert (future.json()["field"], future.json()["entered"]) == ("visited_on", "2026-11-23")
    en = await client.post(
        "/pairing/v1/visits",
        json={**visit, "id": str(uuid.uuid4()), "visited_on": "2026-11-23"},
        headers=me | {"Accept-Language": "en"},
    )
    assert (en.status_code, en.json()["title"]) == (422, "The date lies in the future")
    listed = await client.get(f"/pairing/v1/households/{household_id}/visits", headers=me)
    assert "2026-11-23" not in {v["visited_on"] for v in listed.json()["items"]}


async def test_a_visit_retried_with_its_idempotency_key_gets_the_first_answer_and_is_stored_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The phone lost the answer to its first POST and sends it again with the same key: it is told
    what it would have been told the first time (201 stored), not "duplicate", and one visit exists."""
    _, household_id = await _cadre_with_household(app, client, "cadre-zhao")
    me = auth(["cadre"], V1, sub="cadre-zhao")
    visit = _visit(household_id)
    visit.pop("type")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/pairing/v1/visits", json=visit, headers=me | key)
    again = await client.post("/pairing/v1/visits", json=visit, headers=me | key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json() == {"id": visit["id"], "outcome": "stored", "outcome_label": "已保存"}
    assert again.headers["Idempotent-Replayed"] == "true"
    entry = {
        "id": str(uuid.uuid4()),
        "household_id": household_id,
        "ledger": "work",
        "year": 2026,
        "entry_on": "2026-11-20",
        "content": "走访一次",
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    answers = [
        await client.post("/pairing/v1/ledger-entries", json=entry, headers=me | key) for _ in range(2)
    ]
    assert [(a.status_code, a.json()["outcome"]) for a in answers] == [(201, "stored"), (201, "stored")]
    async with app.state.db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(Visit))).scalar_one() == 1
        events = await s.execute(select(func.count()).where(outbox.c.type == "pairing.visit.recorded.v2"))
        assert events.scalar_one() == 1


async def test_a_ledger_entry_for_a_year_not_yet_come_is_refused_and_nothing_is_stored(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Today is 2026-11-22: a work ledger's entry is for 2026, an exit plan may be next year's (2027);
    2031 (a slip of the thumb) is refused online (422 naming the year) and in a batch, nothing stored."""
    _, household_id = await _cadre_with_household(app, client, "cadre-zhou")
    me = auth(["cadre"], V1, sub="cadre-zhou")
    entry = {"household_id": household_id, "entry_on": "2026-11-20", "content": "落实产业帮扶"}
    plan_2031 = {**entry, "id": str(uuid.uuid4()), "ledger": "plan", "year": 2031}
    r = await client.post("/pairing/v1/ledger-entries", json=plan_2031, headers=me)
    assert (r.status_code, r.json()["field"]) == (422, "year"), r.text
    assert (
        r.json()["detail"] == "台账年度2031晚于2027年：2026-11-20的记录最晚记入2027年度（脱贫计划可提前一年）"
    )
    batch = {
        "records": [
            {**entry, "type": "ledger_entry", "id": str(uuid.uuid4()), "ledger": "plan", "year": 2027},
            {**entry, "type": "ledger_entry", "id": str(uuid.uuid4()), "ledger": "work", "year": 2027},
            {**plan_2031, "type": "ledger_entry"},
        ]
    }
    results = (await client.post("/pairing/v1/sync/batches", json=batch, headers=me)).json()["results"]
    assert [x["outcome"] for x in results] == ["stored", "rejected", "rejected"]
    assert (
        results[1]["reason"]
        == "台账年度2027晚于2026年：2026-11-20的记录最晚记入2026年度（工作台账、帮扶措施记入当年）"
    )
    ledgers = (await client.get(f"/pairing/v1/households/{household_id}/ledgers", headers=me)).json()["items"]
    assert [(e["ledger"], e["year"]) for e in ledgers] == [("plan", 2027)]


async def test_a_refused_visit_tells_the_cadre_in_chinese_why(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The phone shows the reason as it comes: which date, and what to check, not only "refused"."""
    _, household_id = await _cadre_with_household(app, client, "cadre-sun")
    me = auth(["cadre"], V1, sub="cadre-sun")
    early = _visit(household_id, visited_on="2026-08-31")
    early.pop("type")
    r = await client.post("/pairing/v1/visits", json=early, headers=me)
    assert r.status_code == 409
    assert "2026-08-31这天您没有与该户结对" in r.json()["detail"], r.text
    future = {**early, "id": str(uuid.uuid4()), "visited_on": "2026-11-23"}
    told = await client.post("/pairing/v1/visits", json=future, headers=me)
    assert told.status_code == 422
    assert "晚于今天" in told.json()["detail"]
    batch = {
        "records": [
            _visit(household_id),
            _visit(household_id, visited_on="2026-08-31"),
            _visit(household_id, visited_on="2026-11-23"),
            _visit(str(uuid.uuid4())),
            {"type": "visit", "household_id": household_id, "visited_on": "2026-11-20", "kind": "home_visit"},
        ]
    }
    results = (await client.post("/pairing/v1/sync/batches", json=batch, headers=me)).json()["results"]
    assert [x["outcome"] for x in results] == ["stored", "rejected", "rejected", "rejected", "rejected"]
    assert "2026-08-31这天您没有与该户结对" in results[1]["reason"]
    assert "晚于今天" in results[2]["reason"]
    assert "您的辖区内没有这一户" in results[3]["reason"]
    assert results[4]["reason"] == "记录编号必须填写"
    english = await client.post(
        "/pairing/v1/sync/batches",
        json={"records": batch["records"][1:]},
        headers=me | {"Accept-Language": "en"},
    )
    assert [x["reason"] for x in english.json()["results"]] == [
        "you were not paired with this household on 2026-08-31",
        "the visit date 2026-11-23 is in the future",
        "the household is not known in your area",
        "id: Field required",
    ]


async def test_a_households_visits_come_newest_first_however_late_they_were_uploaded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Offline phones upload old visits late: the list a cadre pages through on the phone is by the
    day each visit happened, newest first, not in the random order of the records' ids."""
    _, household_id = await _cadre_with_household(app, client, "cadre-qian")
    me = auth(["cadre"], V1, sub="cadre-qian")
    days = ["2026-10-03", "2026-11-21", "2026-09-15", "2026-11-02", "2026-10-20", "2026-09-01", "2026-11-22"]
    records = [_visit(household_id, visited_on=day) for day in days]
    assert (await client.post("/pairing/v1/sync/batches", json={"records": records}, headers=me)).json()[
        "stored"
    ] == len(days)
    seen: list[str] = []
    url = f"/pairing/v1/households/{household_id}/visits?limit=3"
    cursor: str | None = ""
    while cursor is not None:
        page = (await client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=me)).json()
        seen += [v["visited_on"] for v in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(days, reverse=True)


async def test_a_phone_on_one_bar_sends_its_batch_gzipped(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Content-Encoding: gzip is inflated and stored like the plain batch (was 422 "not UTF-8 JSON");
    a gzip that inflates beyond the limit is 413, a broken one 422, another coding 415."""
    _, household_id = await _cadre_with_household(app, client, "cadre-chu")
    me = auth(["cadre"], V1, sub="cadre-chu") | {"Content-Type": "application/json"}
    records = [_visit(household_id, visited_on=f"2026-11-{day:02}") for day in range(1, 21)]
    packed = gzip.compress(json.dumps({"records": records}).encode())
    zipped = me | {"Content-Encoding": "gzip", "Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/pairing/v1/sync/batches", content=packed, headers=zipped)
    assert first.status_code == 200, first.text
    assert first.json()["stored"] == 20
    again = await client.post("/pairing/v1/sync/batches", content=packed, headers=zipped)
    assert (again.headers["Idempotent-Replayed"], again.json()) == ("true", first.json())
    single = _visit(household_id, visited_on="2026-11-21")
    single.pop("type")
    one = gzip.compress(json.dumps(single).encode())
    r = await client.post("/pairing/v1/visits", content=one, headers=me | {"Content-Encoding": "gzip"})
    assert r.status_code == 201, r.text
    bomb = gzip.compress(b" " * (2 * 1024 * 1024))  # about 2 KiB that inflate to 2 MiB (limit 1 MiB)
    r = await client.post("/pairing/v1/visits", content=bomb, headers=me | {"Content-Encoding": "gzip"})
    assert (r.status_code, r.headers["content-type"]) == (413, "application/problem+json")
    r = await client.post("/pairing/v1/visits", content=one[:-20], headers=me | {"Content-Encoding": "gzip"})
    assert r.status_code == 422
    assert "无法解压" in r.json()["detail"]
    r = await client.post("/pairing/v1/visits", content=one, headers=me | {"Content-Encoding": "br"})
    assert (r.status_code, r.json()["type"]) == (
        415,
        "https://jingzhun.example/problems/unsupported-content-encoding",
    )
    async with app.state.db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(Visit))).scalar_one() == 21


async def test_a_cadre_sees_only_their_own_households(app: FastAPI, client: httpx.AsyncClient) -> None:
    _, mine = await _cadre_with_household(app, client, "cadre-a")
    _, theirs = await _cadre_with_household(app, client, "cadre-b")
    me = auth(["cadre"], V1, sub="cadre-a")
    listed = (await client.get("/pairing/v1/households", headers=me)).json()["items"]
    assert [h["id"] for h in listed] == [mine]
    assert (await client.get(f"/pairing/v1/households/{theirs}", headers=me)).status_code == 404
    assert (await client.get(f"/pairing/v1/households/{theirs}/visits", headers=me)).status_code == 404
    # and cannot log a visit there either
    r = await client.post("/pairing/v1/sync/batches", json={"records": [_visit(theirs)]}, headers=me)
    assert r.json()["results"][0]["outcome"] == "rejected"


async def test_the_household_list_shows_each_households_pairings_as_its_card_does(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A cadre's list of households to visit named no one as paired ("pairings": []) although the
    card of the same household names the cadre."""
    cadre, mine = await _cadre_with_household(app, client, "cadre-feng")
    unpaired = await household(app)
    me = auth(["cadre"], V1, sub="cadre-feng")
    listed = (await client.get("/pairing/v1/households", headers=me)).json()["items"]
    card = (await client.get(f"/pairing/v1/households/{mine}", headers=me)).json()
    assert [(h["id"], [p["helper_id"] for p in h["pairings"]]) for h in listed] == [(mine, [cadre])]
    assert listed[0] == card
    office = (await client.get("/pairing/v1/households?limit=50", headers=OFFICE)).json()["items"]
    assert {h["id"]: [p["kind"] for p in h["pairings"]] for h in office} == {
        mine: ["cadre_household"],
        unpaired: [],
    }


async def test_suggestions_put_the_same_village_first_then_the_least_loaded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    same_village_busy = await helper(client, area_code=V1, name="同村")
    for _ in range(2):
        await pair(client, "cadre_household", same_village_busy, await household(app, V1))
    nearby_idle = await helper(client, area_code=V2, name="邻村")
    full = await helper(client, area_code=V1, name="满额")
    for _ in range(5):
        await pair(client, "cadre_household", full, await household(app, V1))
    await helper(client, "enterprise", area_code=V1)  # not an in-system cadre: never suggested
    target = await household(app, V1)
    r = await client.get(f"/pairing/v1/households/{target}/suggestions", headers=OFFICE)
    assert [(s["helper_id"], s["households"]) for s in r.json()] == [(same_village_busy, 2), (nearby_idle, 0)]


async def test_a_leaving_cadre_hands_every_household_over_in_one_operation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    leaving = await helper(client, area_code=V1)
    households = [await household(app, V1) for _ in range(3)]
    for h in households:
        await pair(client, "cadre_household", leaving, h, started_on="2026-05-01")
    small = await helper(client, area_code=V1)
    for _ in range(4):
        await pair(client, "cadre_household", small, await household(app, V1))
    roomy = await helper(client, area_code=V2)

    r = await client.post(
        f"/pairing/v1/helpers/{leaving}/leave",
        headers=OFFICE,
        json={"left_on": "2026-11-22", "receiver_ids": [small, roomy]},
    )
    assert r.status_code == 200, r.text
    moved = {i["household_id"]: i["to_helper_id"] for i in r.json()["handed_over"]}
    assert set(moved) == set(households)
    assert sorted(moved.values()) == sorted([small, roomy, roomy])  # small reaches the cap of 5, no more
    for h in households:
        shown = (await client.get(f"/pairing/v1/households/{h}", headers=OFFICE)).json()
        assert [p["kind"] for p in shown["pairings"]] == ["cadre_household"]
    assert (await client.get("/pairing/v1/needs", headers=OFFICE)).json()["items"] == []
    left = (await client.get(f"/pairing/v1/helpers/{leaving}", headers=OFFICE)).json()
    assert (left["active"], left["left_on"]) == (False, "2026-11-22")


async def test_a_clerk_reads_why_a_pairing_ended_and_a_need_closed_in_chinese(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    leaving, household_id = await helper(client, area_code=V1), await household(app, V1)
    await pair(client, "cadre_household", leaving, household_id, started_on="2026-05-01")
    receiver = await helper(client, area_code=V1)
    r = await client.post(
        f"/pairing/v1/helpers/{leaving}/leave",
        headers=OFFICE,
        json={"left_on": "2026-11-22", "receiver_ids": [receiver]},
    )
    assert r.status_code == 200, r.text
    [ended] = (await client.get(f"/pairing/v1/pairings?helper_id={leaving}", headers=OFFICE)).json()["items"]
    assert (ended["end_reason"], ended["end_reason_label"]) == ("handed_over", "已移交其他干部")
    [need] = (await client.get("/pairing/v1/needs?status=fulfilled", headers=OFFICE)).json()["items"]
    assert (need["closed_reason"], need["closed_reason_label"]) == ("cadre_paired", "已结对干部")
    # an office's own words are shown as written
    mine = (
        await client.post(
            f"/pairing/v1/pairings/{r.json()['handed_over'][0]['to_pairing_id']}/end",
            headers=OFFICE,
            json={"ended_on": "2026-11-22", "reason": "调离本县"},
        )
    ).json()
    assert (mine["end_reason"], mine["end_reason_label"]) == ("调离本县", "调离本县")


async def test_a_hand_over_without_room_for_everyone_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    leaving = await helper(client, area_code=V1)
    for _ in range(2):
        await pair(client, "cadre_household", leaving, await household(app, V1))
    nearly_full = await helper(client, area_code=V1)
    for _ in range(4):
        await pair(client, "cadre_household", nearly_full, await household(app, V1))
    r = await client.post(
        f"/pairing/v1/helpers/{leaving}/leave",
        headers=OFFICE,
        json={"left_on": "2026-11-22", "receiver_ids": [nearly_full]},
    )
    assert r.status_code == 409
    assert (r.json()["households"], r.json()["room"]) == (2, 1)
    still = (await client.get(f"/pairing/v1/pairings?helper_id={leaving}&active=true", headers=OFFICE)).json()
    assert len(still["items"]) == 2
    assert (await client.get(f"/pairing/v1/helpers/{leaving}", headers=OFFICE)).json()["active"] is True


async def test_a_receiver_from_another_area_is_not_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    leaving = await helper(client, area_code=V1)
    await pair(client, "cadre_household", leaving, await household(app, V1))
    licheng = auth(["registrar"], OTHER_COUNTY, sub="licheng")
    stranger = (
        await client.post(
            "/pairing/v1/helpers",
            headers=licheng,
            json={"kind": "cadre", "name": "外地", "area_code": "350502101001"},
        )
    ).json()["id"]
    r = await client.post(
        f"/pairing/v1/helpers/{leaving}/leave",
        headers=OFFICE,
        json={"left_on": "2026-11-22", "receiver_ids": [stranger]},
    )
    assert r.status_code == 404


async def test_an_office_copies_a_paper_handbook_naming_the_cadre(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cadre, household_id = await _cadre_with_household(app, client, "cadre-paper")
    named = _visit(household_id, helper_id=cadre)
    unnamed = _visit(household_id)
    r = (
        await client.post("/pairing/v1/sync/batches", json={"records": [named, unnamed]}, headers=OFFICE)
    ).json()
    assert [x["outcome"] for x in r["results"]] == ["stored", "rejected"]
    assert "helper_id" in r["results"][1]["reason"]


async def test_a_paired_doctor_logs_a_home_visit_too(app: FastAPI, client: httpx.AsyncClient) -> None:
    household_id = await household(app)
    doctor = await helper(client, "doctor", user_sub="doctor-he")
    await pair(client, "professional_household", doctor, household_id, started_on="2026-10-01")
    me = auth(["cadre"], V1, sub="doctor-he")
    r = await client.post("/pairing/v1/sync/batches", json={"records": [_visit(household_id)]}, headers=me)
    assert r.json()["stored"] == 1


async def test_two_phones_uploading_for_the_same_households_at_once_both_store(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Each visit also moves its household's last-visit date: two batches naming the same households
    in opposite orders must not deadlock each other (every record stored, no 503 to resend)."""
    cadre = await helper(client, user_sub="cadre-zhao")
    households = [await household(app) for _ in range(5)]  # the cap
    for h in households:
        r = await pair(client, "cadre_household", cadre, h, started_on="2026-09-01")
        assert r.status_code == 201, r.text
    me = auth(["cadre"], V1, sub="cadre-zhao")
    for day in range(10, 20):
        phone_a = [_visit(h, visited_on=f"2026-11-{day}") for h in households]
        phone_b = [_visit(h, visited_on=f"2026-11-{day}", kind="phone_call") for h in reversed(households)]
        answers = await asyncio.gather(
            client.post("/pairing/v1/sync/batches", json={"records": phone_a}, headers=me),
            client.post("/pairing/v1/sync/batches", json={"records": phone_b}, headers=me),
        )
        assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
        assert [a.json()["stored"] for a in answers] == [5, 5]
        # Results come back in the order the phone sent them.
        assert [r["id"] for r in answers[1].json()["results"]] == [v["id"] for v in phone_b]
    async with app.state.db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(Visit))).scalar_one() == 100


async def test_a_visit_is_dated_by_the_china_date_not_in_its_future(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """07:30 in Beijing on 23 November is still the 22nd in UTC: a visit that morning is today's,
    one dated the 24th lies in the future (422 date-in-future, nothing stored)."""
    from datetime import UTC, datetime

    from shared.clock import clock

    _, household_id = await _cadre_with_household(app, client, "cadre-li")
    me = auth(["cadre"], V1, sub="cadre-li")
    clock.thaw()  # the conftest pins today; here the platform clock decides
    with clock.frozen(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)):
        r = await client.post(
            "/pairing/v1/visits", json=_visit(household_id, visited_on="2026-11-23"), headers=me
        )
        assert r.status_code == 201, r.text
        r = await client.post(
            "/pairing/v1/visits",
            json=_visit(household_id, visited_on="2026-11-24"),
            headers=me | {"Accept-Language": "en"},
        )
        assert r.status_code == 422
        assert r.json()["type"].endswith("/date-in-future")
        assert "after today (2026-11-23, China date)" in r.json()["detail"]
        # a ledger entry (台账) the same: today's is stored; one dated the 24th was a 409 that called
        # it a visit (不能登记这次走访 … 请在走访后再登记)
        entry = {"household_id": household_id, "ledger": "帮扶措施", "year": 2026, "content": "落实医保"}
        url = "/pairing/v1/ledger-entries"
        r = await client.post(
            url, json={**entry, "id": str(uuid.uuid4()), "entry_on": "2026-11-23"}, headers=me
        )
        assert r.status_code == 201, r.text
        r = await client.post(
            url, json={**entry, "id": str(uuid.uuid4()), "entry_on": "2026-11-24"}, headers=me
        )
        assert r.status_code == 422, r.text
        assert r.json()["type"].endswith("/date-in-future")
        assert "台账记录日期 2026-11-24 晚于今天（北京时间 2026-11-23）" in r.json()["detail"]
        assert "走访" not in r.json()["detail"]


async def test_a_cadre_reads_why_each_record_of_a_batch_was_refused_in_chinese(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The phone app shows the batch's reasons to the cadre as they are sent: in Chinese unless the
    app asks for English. A visit dated "today" in China at 01:00 (UTC's date is the day before)
    is stored; the next day is in the future."""
    _, household_id = await _cadre_with_household(app, client, "cadre-zhou")
    me = auth(["cadre"], V1, sub="cadre-zhou")
    clock.freeze(datetime(2026, 11, 22, 17, tzinfo=UTC))  # 01:00 on 23 November in China
    batch = {
        "records": [
            _visit(household_id, visited_on="2026-11-23"),
            _visit(household_id, visited_on="2026-11-24"),
            _visit(household_id, visited_on="2026-08-31"),
            {"type": "visit", "id": "not-a-uuid", "household_id": household_id},
            {
                "type": "ledger_entry",
                "id": str(uuid.uuid4()),
                "household_id": household_id,
                "ledger": "work",
                "year": 2026,
                "entry_on": "2026-11-24",
                "content": "明天的台账",
            },
        ]
    }
    body = (await client.post("/pairing/v1/sync/batches", json=batch, headers=me)).json()
    assert [r["outcome"] for r in body["results"]] == ["stored"] + ["rejected"] * 4
    assert [r["reason"] for r in body["results"]] == [
        None,
        "走访日期 2026-11-24 晚于今天（北京时间 2026-11-23），请在走访后再登记",
        "2026-08-31这天您没有与该户结对，不能登记这天的记录；请核对日期，或请扶贫办核实结对关系",
        "记录编号应为编号（UUID）",
        "台账记录日期 2026-11-24 晚于今天（北京时间 2026-11-23），请在事后再登记",  # was: 走访日期
    ]
    # a record that does not say what it is (found at stop 26: pydantic's English reached the cadre)
    untyped = {k: v for k, v in _visit(household_id, visited_on="2026-11-23").items() if k != "type"}
    mistyped = {**untyped, "type": "走访"}
    body = (
        await client.post("/pairing/v1/sync/batches", json={"records": [untyped, mistyped]}, headers=me)
    ).json()
    assert [r["reason"] for r in body["results"]] == [
        "缺少记录类别type：走访记录写visit，台账记录写ledger_entry",
        "记录类别type应为visit（走访记录）或ledger_entry（台账记录），不是“走访”",
    ]
    single = await client.post(
        "/pairing/v1/visits", json=_visit(household_id, visited_on="2026-11-24"), headers=me
    )
    assert single.status_code == 422  # online, a date in the future is bad input, as everywhere
    assert single.json()["detail"] == (
        "走访日期 2026-11-24 晚于今天（北京时间 2026-11-23），请在事情发生后再登记"
    )
