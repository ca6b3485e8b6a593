"""The set-based bulk import (households.bulk): rows built in chunks, staged with COPY, moved into
place with INSERT … SELECT. What a consumer and a clerk see must be what the row-by-row path gave:
the registered events' envelopes, and nothing saved when a later chunk holds a refused person."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.registry import events as contracts
from services.registry.app import create_app
from services.registry.households import bulk
from services.registry.households.repository import HouseholdRepository
from services.registry.models import Household, Member
from services.registry.settings import RegistrySettings
from shared.clock import clock
from shared.events.envelope import CloudEvent
from shared.resident_id import check_digit, make
from shared.tables import outbox
from tests.registry.integration.helpers import (
    AREAS,
    COUNTY,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.registry.integration.test_concurrent_counters import deadlocks
from tests.registry.integration.test_identity_conflicts import TAISHAN_APPROVER, TAISHAN_VILLAGE, setup
from tests.registry.integration.test_move import recount_matches_counters
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
OLD_ROLL = {"source_roll": "开平市2017年建档立卡花名册", "reason": "省平台历史数据迁移"}


def _household(area_code: str, *people: dict[str, object], **extra: object) -> dict[str, object]:
    return {
        "area_code": area_code,
        "year": 2017,
        "members": list(people),
        "registered_on": "2017-06-01",
    } | extra


async def test_each_household_gets_the_registered_event_the_row_by_row_path_writes(make_db, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 2)  # three households: two chunks
    app = registry_app(make_db("registry"))
    rows = [
        _household(
            VILLAGE, member("head", name="赵一"), member("spouse", name="钱二"), poverty_causes=["illness"]
        ),
        _household(VILLAGE, member("head", name="孙三"), dibao=True),
        _household(VILLAGE, member("child", name="周五"), member("head", name="李四")),
    ]
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": rows} | OLD_ROLL,
            headers=auth("approver", VILLAGE) | {"x-request-id": "bulk-import-1"},
        )
        assert r.json() == {"imported": 3, "persons": 5}, r.text
        async with app.state.db.transaction() as s:
            stored = (await s.execute(select(outbox.c.envelope).order_by(outbox.c.seq))).scalars().all()
        events = [
            CloudEvent.model_validate(e) for e in stored if e["type"] == contracts.HouseholdRegistered.type
        ]
        assert len(events) == 3
        emitted = CloudEvent(source="jingzhun/registry", type="t", subject="s", requestid="bulk-import-1")
        assert {frozenset(e) for e in stored if e["type"] == contracts.HouseholdRegistered.type} == {
            frozenset(emitted.model_dump(mode="json", exclude_none=True))
        }
        for event, row in zip(events, rows, strict=True):
            data = contracts.HouseholdRegistered.of(event)
            card = (await c.get(f"/registry/v1/households/{data.household_id}", headers=REGISTRAR)).json()
            assert event.subject == data.household_id
            assert event.requestid == "bulk-import-1"
            names = {m["id"]: m["name"] for m in card["members"]}
            # the members in the order the row lists them, as the row-by-row path named them
            assert [names[i] for i in data.member_ids] == [m["name"] for m in row["members"]]  # type: ignore[index]
            head = next(m for m in row["members"] if m["relation"] == "head")  # type: ignore[index]
            assert data.head_name_masked == head["name"][0] + "*"
            assert (data.household_number, data.area_code, data.year) == (
                card["household_number"],
                VILLAGE,
                2017,
            )
            assert data.member_count == len(row["members"])  # type: ignore[arg-type]
            assert data.poverty_causes == list(row.get("poverty_causes", []))  # type: ignore[call-overload]
            assert data.dibao is bool(row.get("dibao"))
            assert data.registered_on == date(2017, 6, 1)
            assert event.data["origin"] == "import"


@pytest.mark.parametrize("held_rows", [[1], [1, 3]])
async def test_people_held_elsewhere_in_later_chunks_are_all_named_and_nothing_is_kept(
    make_db, monkeypatch, held_rows
):
    """One household a chunk: the first is moved into place before the unique index refuses the
    second; the chunks after it are still looked up, so the refusal names every person held
    elsewhere, and nothing of the import is kept."""
    monkeypatch.setattr(bulk, "CHUNK", 1)
    app = registry_app(make_db("registry"))
    son, daughter = person_id(date(2001, 1, 2)), person_id(date(2003, 5, 6), sex="female")
    async with service_client(app) as c:
        await setup(c)
        children = [member("child", name="陈小明", resident_id=son)]
        children.append(member("child", name="陈小红", resident_id=daughter))
        await registered(c, members=[member("head", name="陈大海"), *children])
        last = member("head", name="陈小红", resident_id=daughter) if 3 in held_rows else member("head")
        rows = [member("head", name="王五"), member("head", name="陈小明", resident_id=son)]
        rows += [member("head", name="张六"), last]
        r = await c.post(
            "/registry/v1/households/imports",
            json={
                "households": [_household(TAISHAN_VILLAGE, m) for m in rows],
                "source_roll": "台山市2017年建档立卡花名册",
                "reason": "省平台历史数据迁移",
            },
            headers=TAISHAN_APPROVER,
        )
        assert r.status_code == 409, r.text
        assert r.json()["rows"] == held_rows
        assert len(r.json()["conflict_ids"]) == len(held_rows)  # the refusal's records are kept …
        listed = (await c.get("/registry/v1/households", headers=TAISHAN_APPROVER)).json()["items"]
        assert listed == []  # … and nothing of the import
        async with app.state.db.transaction() as s:
            types = (await s.execute(select(outbox.c.type))).scalars().all()
        assert types.count(contracts.HouseholdRegistered.type) == 1  # the Kaiping household's own


async def test_a_refused_row_in_a_later_chunk_is_the_one_named(make_db, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 1)
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        rows = [
            _household(VILLAGE, member("head", name="甲")),
            _household(VILLAGE, member("head", name="乙")),
            _household(VILLAGE, member("spouse", name="丙")),
        ]
        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": rows} | OLD_ROLL,
            headers=auth("approver", VILLAGE),
        )
        assert r.status_code == 422, r.text
        assert r.json()["index"] == 2
        assert (await c.get("/registry/v1/households", headers=REGISTRAR)).json()["items"] == []


def _areas() -> list[dict[str, object]]:
    return AREAS


async def test_a_household_number_already_in_use_is_refused_by_its_row_and_nothing_is_saved(make_db):
    """An old roll brings its own 户编号: one another household has, or one used twice in the file,
    is a 409 naming the row in Chinese — before, the database's unique index answered 500."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text

        async def imported(*rows: dict[str, object]) -> httpx.Response:
            body = {"households": list(rows)} | OLD_ROLL
            return await c.post(
                "/registry/v1/households/imports", json=body, headers=auth("approver", VILLAGE)
            )

        r = await imported(_household(VILLAGE, member("head", name="甲"), household_number="KP2017-0001"))
        assert r.status_code in (200, 201), r.text

        r = await imported(
            _household(VILLAGE, member("head", name="乙"), household_number="KP2017-0002"),
            _household(VILLAGE, member("head", name="丙"), household_number="KP2017-0001"),
        )
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["type"].endswith("/household-number-taken")
        assert body["index"] == 1
        assert body["detail"] == "第2户的户编号 KP2017-0001 已被使用（已有户使用）"

        r = await imported(
            _household(VILLAGE, member("head", name="丁"), household_number="KP2017-0003"),
            _household(VILLAGE, member("head", name="戊"), household_number="KP2017-0003"),
        )
        assert r.status_code == 409, r.text
        assert r.json()["detail"] == "第2户的户编号 KP2017-0003 已被使用（文件中前面的行已使用）"

        listed = (await c.get("/registry/v1/households", headers=REGISTRAR)).json()["items"]
        assert [h["household_number"] for h in listed] == ["KP2017-0001"]  # only the first import


async def test_two_clerks_importing_into_one_county_at_once_both_land_and_the_counters_add_up(
    make_db, monkeypatch
):
    """Two import calls into the same county's villages at the same moment (two clerks of one
    county office, or a loader sending calls two at a time): both are saved, PostgreSQL reports no
    deadlock, household numbers stay distinct, and every counter equals the sum of both rolls."""
    monkeypatch.setattr(bulk, "CHUNK", 3)  # many chunks each: the two calls' COPYs interleave
    monkeypatch.setattr(bulk, "FIRST_CHUNK", 3)
    both_open, started = asyncio.Barrier(2), set[int]()
    copy = HouseholdRepository.copy_into_place

    async def together(self: HouseholdRepository, *args: Any) -> bool:
        """Each call's first chunk waits until the other call has reached its own: the two
        transactions are open at once, whatever the scheduling of a loaded machine."""
        if id(self.session) not in started:
            started.add(id(self.session))
            await asyncio.wait_for(both_open.wait(), 60)
        return await copy(self, *args)

    monkeypatch.setattr(HouseholdRepository, "copy_into_place", together)
    app = create_app(settings_for(RegistrySettings, make_db("registry"), db_pool_size=4))
    clerk = auth("approver", COUNTY)

    def roll(k: int) -> list[dict[str, object]]:
        return [
            _household(
                (VILLAGE, OTHER_VILLAGE)[i % 2],  # both calls touch both villages' counter rows
                member("head", name=f"户主{k}-{i}"),
                *[member("child", name=f"子{k}-{i}-{c}") for c in range(i % 3)],
                poverty_causes=[("illness", "schooling", "disability")[(i + k) % 3]],
            )
            for i in range(20)
        ]

    rolls = [roll(0), roll(1)]
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        before = await deadlocks(app)
        answers = await asyncio.gather(
            *(
                c.post("/registry/v1/households/imports", json={"households": rows} | OLD_ROLL, headers=clerk)
                for rows in rolls
            )
        )
        persons = sum(len(h["members"]) for rows in rolls for h in rows)  # type: ignore[arg-type]
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        assert sum(a.json()["persons"] for a in answers) == persons
        assert await deadlocks(app) == before, "PostgreSQL detected a deadlock"
        await recount_matches_counters(app)
        county = (await c.get(f"/registry/v1/rollups/{COUNTY}?year=2017", headers=clerk)).json()
        assert county["entries_by_year"]["2017"] == {"households": 40, "persons": persons}
        async with app.state.db.transaction() as s:
            numbers = (await s.execute(select(Household.household_number))).scalars().all()
        assert len(set(numbers)) == len(numbers) == 40


async def test_two_imports_holding_each_others_people_end_in_one_import_and_one_refusal(make_db, monkeypatch):
    """Two clerks import rolls that name the same two people in opposite order: each import has
    moved one and waits for the other's (a deadlock PostgreSQL ends by failing one). One roll is
    saved; the other is refused as people held elsewhere (409, in Chinese), never a 500, and
    nothing of it is kept."""
    monkeypatch.setattr(bulk, "CHUNK", 1)
    monkeypatch.setattr(bulk, "FIRST_CHUNK", 1)
    first_open, first_moved, started = asyncio.Barrier(2), asyncio.Barrier(2), set[int]()
    copy = HouseholdRepository.copy_into_place

    async def crosswise(self: HouseholdRepository, *args: Any) -> bool:
        """Both imports move their first household before either moves its second."""
        if id(self.session) in started:
            return await copy(self, *args)
        started.add(id(self.session))
        await asyncio.wait_for(first_open.wait(), 60)
        moved = await copy(self, *args)
        await asyncio.wait_for(first_moved.wait(), 60)
        return moved

    monkeypatch.setattr(HouseholdRepository, "copy_into_place", crosswise)
    app = create_app(settings_for(RegistrySettings, make_db("registry"), db_pool_size=4))
    clerk = auth("approver", COUNTY)
    x, y = member("head", name="甲"), member("head", name="乙")
    rolls = [
        [_household(VILLAGE, x), _household(VILLAGE, y)],
        [_household(OTHER_VILLAGE, y), _household(OTHER_VILLAGE, x)],
    ]
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        answers = await asyncio.gather(
            *(
                c.post("/registry/v1/households/imports", json={"households": rows} | OLD_ROLL, headers=clerk)
                for rows in rolls
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        saved = rolls[[a.status_code for a in answers].index(200)]
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["type"].endswith("/person-in-another-household"), refused
        listed = (await c.get("/registry/v1/households", headers=auth("registrar", COUNTY))).json()["items"]
        assert sorted(h["area_code"] for h in listed) == [saved[0]["area_code"]] * 2


async def test_a_resident_id_the_rules_refuse_is_refused_by_its_row_in_their_words(make_db):
    """Each ID rule refuses the row that breaks it, in the words one-by-one creation uses (the field
    and the Chinese text too); a lower-case check ``x`` is taken as ``X``, the same person."""
    app = registry_app(make_db("registry"))
    good = person_id(date(1970, 5, 17))
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    no_date = "44078319700231" + "123"
    no_date += check_digit(no_date)
    too_old = "44078318790101" + "123"
    too_old += check_digit(too_old)
    with_x = next(n for seq in range(1, 999, 2) if (n := make("440783", date(1981, 3, 9), seq))[-1] == "X")
    cases = [
        (member("head", resident_id=wrong_check), "resident_id"),
        (member("head", resident_id=no_date), "resident_id"),
        (member("head", resident_id=too_old), "resident_id"),
        (member("head", resident_id=person_id(date(1970, 5, 17)), birth_date="1970-05-18"), "birth_date"),
        (member("head", resident_id=person_id(date(1970, 5, 17)), sex="female"), "sex"),
    ]
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        seen = []
        for refused, field in cases:
            rows = [_household(VILLAGE, member("head")), _household(VILLAGE, refused)]
            r = await c.post(
                "/registry/v1/households/imports",
                json={"households": rows} | OLD_ROLL,
                headers=auth("approver", VILLAGE) | {"Accept-Language": "en"},
            )
            assert r.status_code == 422, r.text
            body = r.json()
            assert (body["index"], body.get("field")) == (1, field), body
            assert body["detail"].startswith("household 1: "), body
            seen.append(body["detail"])
        assert len(set(seen)) == len(cases)
        rows = [
            _household(VILLAGE, member("head", resident_id=with_x.lower())),
            _household(VILLAGE, member("head", resident_id=with_x)),
        ]
        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": rows} | OLD_ROLL,
            headers=auth("approver", VILLAGE) | {"Accept-Language": "en"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["index"] == 1
        assert "already appears in household 0" in r.json()["detail"]
        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": rows[:1]} | OLD_ROLL,
            headers=auth("approver", VILLAGE),
        )
        assert r.json() == {"imported": 1, "persons": 1}, r.text
        r = await c.get(f"/registry/v1/households?resident_id={with_x}", headers=REGISTRAR)
        assert [h["area_code"] for h in r.json()["items"]] == [VILLAGE]
        card = await c.get(f"/registry/v1/households/{r.json()['items'][0]['id']}", headers=REGISTRAR)
        head = card.json()["members"][0]
        assert (head["birth_date"], head["sex"]) == ("1981-03-09", "male")


async def test_an_identification_year_after_next_year_is_refused_by_its_row_as_registration_refuses_it(
    make_db,
):
    """The bulk import follows registration's rule (this year or next year's plan, China date) in
    its words, naming the row (counted from 1 in Chinese, as the other row refusals); before, only
    the schema's 2100 bounded it."""
    app = registry_app(make_db("registry"))
    this_year = clock.today().year
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        rows = [
            _household(VILLAGE, member("head", name="甲"), year=this_year + 1),
            _household(VILLAGE, member("head", name="乙"), year=this_year + 2),
        ]
        for language, words in (
            ("zh", f"第2户：识别年度{this_year + 2}年太远：只能登记今年或下一年度（最晚{this_year + 1}年）"),
            ("en", f"household 1: year {this_year + 2} is too far ahead"),
        ):
            r = await c.post(
                "/registry/v1/households/imports",
                json={"households": rows} | OLD_ROLL,
                headers=auth("approver", VILLAGE) | {"Accept-Language": language},
            )
            assert r.status_code == 422, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert words in r.json()["detail"]
            assert (r.json()["index"], r.json()["field"], r.json()["latest"]) == (1, "year", this_year + 1)
        assert (await c.get("/registry/v1/households", headers=REGISTRAR)).json()["items"] == []
        # next year's plan is allowed, as for one household
        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": rows[:1]} | OLD_ROLL,
            headers=auth("approver", VILLAGE),
        )
        assert r.status_code == 200, r.text
        listed = (await c.get("/registry/v1/households", headers=REGISTRAR)).json()["items"]
        assert [h["year"] for h in listed] == [this_year + 1]


@pytest.mark.parametrize("refused_at", [3, 6])
async def test_a_row_refused_while_the_chunk_before_it_is_copied_leaves_nothing_written(
    make_db, monkeypatch, refused_at
):
    """The database moves one chunk into place while the next is built (households.bulk): a row
    refused in a later chunk ends the import with nothing of it written — no household, member,
    event or counter of the earlier chunks — and the same roll without that row imports whole."""
    monkeypatch.setattr(bulk, "FIRST_CHUNK", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    monkeypatch.setattr(bulk, "SLICE", 1)  # a turn of the event loop after each row
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.post(
            "/registry/v1/areas", json={"areas": _areas()}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        rows = [
            _household(VILLAGE, member("head", name=name), member("child", name=name + "儿"))
            for name in "甲乙丙丁戊己庚"
        ]
        refused = rows[:refused_at] + [_household(VILLAGE, member("spouse", name="辛"))] + rows[refused_at:]
        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": refused} | OLD_ROLL,
            headers=auth("approver", VILLAGE) | {"Accept-Language": "en"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["index"] == refused_at
        assert r.json()["detail"] == f"household {refused_at}: exactly one head needed, 0 given"
        async with app.state.db.transaction() as s:
            assert (await s.execute(select(Household.id))).all() == []
            assert (await s.execute(select(Member.id))).all() == []
            registered_events = select(outbox.c.id).where(outbox.c.type == contracts.HouseholdRegistered.type)
            assert (await s.execute(registered_events)).all() == []
        await recount_matches_counters(app)  # no counter moved

        r = await c.post(
            "/registry/v1/households/imports",
            json={"households": rows} | OLD_ROLL,
            headers=auth("approver", VILLAGE),
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"imported": 7, "persons": 14}
        await recount_matches_counters(app)
