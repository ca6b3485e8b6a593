"""Households and members over HTTP on a real PostgreSQL: validation, PII, one person one household."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services.registry.models import Member
from shared.clock import clock
from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
    COUNTY_REGISTRAR,
    OTHER_REGISTRAR,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registry_app,
)
from tests.support import service_client

pytestmark = pytest.mark.asyncio


async def test_candidate_is_created_with_encrypted_ids_and_masked_everywhere_but_the_audited_read(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        head_id = person_id(date(1968, 3, 9))
        h = await candidate(
            c, members=[member("head", resident_id=head_id, birth_date="1968-03-09", sex="male")]
        )
        assert h["status"] == "candidate"
        assert h["members"][0]["resident_id_masked"] == head_id[:6] + "********" + head_id[-4:]
        assert head_id not in str(h)

        async with app.state.db.transaction() as s:
            row = (await s.execute(select(Member))).scalar_one()
            assert row.resident_id_cipher != head_id
            assert head_id not in row.resident_id_cipher
            events = (await s.execute(select(outbox.c.type, outbox.c.envelope).order_by(outbox.c.seq))).all()
        assert [e.type for e in events] == ["registry.area.upserted.v1"] * 6 + [
            "registry.household.candidate_created.v1"
        ]
        assert head_id not in str([e.envelope for e in events])

        listed = (await c.get("/registry/v1/households", headers=REGISTRAR)).json()
        assert listed["items"][0]["head_name_masked"] == "王**"
        assert head_id not in str(listed)

        full = await c.get(
            f"/registry/v1/households/{h['id']}/members/{h['members'][0]['id']}/resident-id",
            headers=REGISTRAR,
        )
        assert full.json()["resident_id"] == head_id
        async with app.state.db.transaction() as s:
            reads = (
                await s.execute(select(audit_log).where(audit_log.c.action == "pii.resident_id_read"))
            ).all()
        assert len(reads) == 1


async def test_a_cadre_cannot_read_full_ids(make_db):
    from tests.support import auth

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        r = await c.get(
            f"/registry/v1/households/{h['id']}/members/{h['members'][0]['id']}/resident-id",
            headers=auth("cadre", VILLAGE),
        )
        assert r.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"resident_id": "wrong check digit"}, "resident_id"),
        ({"birth_date": "1970-05-18"}, "birth_date"),
        ({"sex": "female"}, "sex"),
    ],
)
async def test_inconsistent_member_data_is_refused_and_nothing_is_saved(make_db, change, field):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        good = person_id(date(1970, 5, 17), sex="male")
        if "resident_id" in change:
            change = {"resident_id": good[:17] + ("1" if good[17] == "0" else "0")}
        body = {
            "area_code": VILLAGE,
            "year": 2017,
            "members": [member("head", resident_id=good, birth_date="1970-05-17", sex="male") | change],
        }
        r = await c.post("/registry/v1/households", json=body, headers=REGISTRAR)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field
        listed = (await c.get("/registry/v1/households", headers=REGISTRAR)).json()
        assert listed["items"] == []


async def test_one_person_in_one_active_household_names_the_conflict(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        shared_person = person_id()
        first = await candidate(c, members=[member("head", resident_id=shared_person)])
        body = {
            "area_code": OTHER_VILLAGE,
            "year": 2017,
            "members": [
                member("head", name="张三", resident_id=person_id()),
                member("child", resident_id=shared_person.lower()),
            ],
        }
        # a clerk whose area holds the other household is told which one it is
        r = await c.post("/registry/v1/households", json=body, headers=COUNTY_REGISTRAR)
        assert r.status_code == 409
        assert r.json()["household_id"] == first["id"]
        assert r.json()["type"].endswith("/person-in-another-household")
        # the other village's clerk may not read it: only a conflict id (test_identity_conflicts.py)
        r = await c.post("/registry/v1/households", json=body, headers=OTHER_REGISTRAR)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/person-active-elsewhere")
        assert first["id"] not in r.text

        # once the first household is rejected, the person is free again
        rej = await c.post(
            f"/registry/v1/households/{first['id']}/rejection",
            json={"reason": "duplicate"},
            headers=REGISTRAR,
        )
        assert rej.status_code == 200
        again = await candidate(
            c, members=[member("head", resident_id=shared_person)], area_code=OTHER_VILLAGE
        )
        assert again["status"] == "candidate"


async def test_batches_outside_the_policy_set_are_refused(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        r = await c.post(
            "/registry/v1/households",
            json={"area_code": VILLAGE, "year": 2017, "members": [member()], "batches": ["relocation"]},
            headers=REGISTRAR,
        )
        assert r.status_code == 422
        assert r.json()["allowed"] == ["production_employment", "education", "dibao_floor"]


async def test_area_scoping_other_village_gets_404_and_an_empty_list(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        assert (await c.get(f"/registry/v1/households/{h['id']}", headers=OTHER_REGISTRAR)).status_code == 404
        listed = await c.get("/registry/v1/households", headers=OTHER_REGISTRAR)
        assert listed.json()["items"] == []
        r = await c.get(f"/registry/v1/households?area_code={VILLAGE}", headers=OTHER_REGISTRAR)
        assert r.status_code == 404
        r = await c.post(f"/registry/v1/households/{h['id']}/review-submission", headers=OTHER_REGISTRAR)
        assert r.status_code == 404


async def test_bulk_import_refuses_a_person_already_registered_and_saves_nothing(make_db):
    from tests.support import auth

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        taken = person_id()
        await candidate(c, members=[member("head", resident_id=taken)])
        body = {
            "households": [
                {
                    "area_code": VILLAGE,
                    "year": 2017,
                    "registered_on": "2017-06-01",
                    "members": [member("head")],
                },
                {
                    "area_code": VILLAGE,
                    "year": 2017,
                    "registered_on": "2017-06-01",
                    "members": [member("head", resident_id=taken)],
                },
            ],
            "source_roll": "开平市2017年建档立卡花名册",
            "reason": "省平台历史数据迁移",
        }
        r = await c.post("/registry/v1/households/imports", json=body, headers=auth("approver", VILLAGE))
        assert r.status_code == 409
        listed = (await c.get("/registry/v1/households", headers=REGISTRAR)).json()
        assert len(listed["items"]) == 1
        body["households"].pop()
        r = await c.post("/registry/v1/households/imports", json=body, headers=auth("approver", VILLAGE))
        assert r.json() == {"imported": 1, "persons": 1}
        assert (
            (await c.get("/registry/v1/households?status=registered", headers=REGISTRAR))
            .json()["items"][0]["household_number"]
            .startswith(VILLAGE)
        )


async def test_two_registrars_racing_to_enter_the_same_person_get_one_201_and_one_409(make_db):
    import asyncio

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        person = person_id()

        async def create(area, headers):
            body = {
                "area_code": area,
                "year": 2017,
                "members": [member("head", name="孙某", resident_id=person)],
            }
            return await c.post("/registry/v1/households", json=body, headers=headers)

        for _ in range(3):  # a few rounds: the check-then-insert window is small
            first, second = await asyncio.gather(
                create(VILLAGE, REGISTRAR), create(OTHER_VILLAGE, OTHER_REGISTRAR)
            )
            assert sorted([first.status_code, second.status_code]) == [201, 409]
            winner = (first if first.status_code == 201 else second).json()
            headers = REGISTRAR if winner["area_code"] == VILLAGE else OTHER_REGISTRAR
            r = await c.post(
                f"/registry/v1/households/{winner['id']}/rejection", json={"reason": "t"}, headers=headers
            )
            assert r.status_code == 200


async def test_the_same_idempotency_key_creates_one_household(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        body = {"area_code": VILLAGE, "year": 2017, "members": [member("head", resident_id=person_id())]}
        headers = REGISTRAR | {"Idempotency-Key": "form-42"}
        first = await c.post("/registry/v1/households", json=body, headers=headers)
        again = await c.post("/registry/v1/households", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert len((await c.get("/registry/v1/households", headers=REGISTRAR)).json()["items"]) == 1
        # the retry carries the first answer's ETag: the phone can go on with its If-Match
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.headers["ETag"] == first.headers["ETag"] == '"1"'
        url = f"/registry/v1/households/{first.json()['id']}"
        plan = {"plan": "raise chickens"}
        changed = await c.patch(url, json=plan, headers=REGISTRAR | {"If-Match": again.headers["ETag"]})
        assert changed.status_code == 200, changed.text


async def test_a_phone_revalidates_a_card_with_304_and_gets_lists_compressed(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        h = await candidate(c)
        url = f"/registry/v1/households/{h['id']}"
        first = await c.get(url, headers=REGISTRAR)
        tag = first.headers["ETag"]

        same = await c.get(url, headers=REGISTRAR | {"If-None-Match": tag})
        assert same.status_code == 304
        assert same.content == b""
        assert same.headers["ETag"] == tag
        assert "content-type" not in same.headers

        plan = {"plan": "raise chickens; a public-welfare job for the son"}
        changed = await c.patch(url, json=plan, headers=REGISTRAR | {"If-Match": tag})
        assert changed.status_code == 200, changed.text
        stale = await c.get(url, headers=REGISTRAR | {"If-None-Match": tag})
        assert stale.status_code == 200
        assert stale.json()["id"] == h["id"]
        assert stale.headers["ETag"] != tag

        for _ in range(5):
            await candidate(c)
        listed = await c.get("/registry/v1/households", headers=REGISTRAR | {"Accept-Encoding": "gzip"})
        assert listed.headers["content-encoding"] == "gzip"
        assert len(listed.json()["items"]) == 6


async def test_two_bulk_imports_of_the_same_size_keep_audit_chains_of_their_own(make_db):
    """Each import is audited under its own id: two one-household imports do not share a chain
    (nor its lock), and the counters count both."""
    from shared.audit import GENESIS
    from tests.support import auth

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        for _ in range(2):
            body = {
                "households": [
                    {
                        "area_code": VILLAGE,
                        "year": 2017,
                        "registered_on": "2017-06-01",
                        "members": [member("head")],
                    }
                ],
                "source_roll": "开平市2017年建档立卡花名册",
                "reason": "省平台历史数据迁移",
            }
            r = await c.post("/registry/v1/households/imports", json=body, headers=auth("approver", VILLAGE))
            assert r.json() == {"imported": 1, "persons": 1}
        async with app.state.db.transaction() as s:
            rows = (
                await s.execute(
                    select(audit_log.c.entity_id, audit_log.c.prev_hash, audit_log.c.after).where(
                        audit_log.c.action == "household.imported"
                    )
                )
            ).all()
        assert len(rows) == 2
        assert rows[0].entity_id != rows[1].entity_id
        assert [r.entity_id for r in rows] == [r.after["import_id"] for r in rows]
        assert [r.prev_hash for r in rows] == [GENESIS, GENESIS]  # each the start of its own chain
        rollup = (await c.get(f"/registry/v1/rollups/{VILLAGE}?year=2017", headers=REGISTRAR)).json()
        assert rollup["by_status"]["registered"] == {"households": 2, "persons": 2}


async def test_the_card_read_shows_what_the_card_of_a_change_shows(make_db):
    """GET reads the card in one statement (no ORM objects); it answers exactly the card a write
    answers (members in id order, incomes by year, debts by date), ETag and all."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        other = await candidate(c)  # another household's members, incomes and debts stay its own
        theirs = f"/registry/v1/households/{other['id']}"
        debt = {"cause": "housing", "amount_fen": 500_000, "recorded_on": "2017-01-05"}
        assert (await c.post(f"{theirs}/debts", json=debt, headers=REGISTRAR)).status_code == 201
        income = {"year": 2016, "per_capita_income_fen": 90_000}
        assert (await c.put(f"{theirs}/incomes", json=income, headers=REGISTRAR)).status_code == 204
        h = await candidate(
            c,
            members=[
                member("head", resident_id=person_id(date(1961, 2, 3))),
                member("spouse", name="李小红", resident_id=person_id(sex="female"), in_school=False),
                member("child", name="王小明", resident_id=person_id(date(2008, 1, 2)), in_school=True),
            ],
        )
        base = f"/registry/v1/households/{h['id']}"
        for year, fen in ((2018, 310_000), (2017, 250_000)):
            income = {"year": year, "per_capita_income_fen": fen}
            r = await c.put(f"{base}/incomes", json=income, headers=REGISTRAR)
            assert r.status_code == 204, r.text
        for cause, fen, day in (("schooling", 1_200_000, "2018-05-01"), ("illness", 3_000_000, "2017-03-09")):
            debt = {"cause": cause, "amount_fen": fen, "recorded_on": day}
            r = await c.post(f"{base}/debts", json=debt, headers=REGISTRAR)
            assert r.status_code == 201, r.text
        etag = (await c.get(base, headers=REGISTRAR)).headers["ETag"]
        changed = await c.patch(base, json={"dibao": True}, headers={**REGISTRAR, "If-Match": etag})
        assert changed.status_code == 200, changed.text
        read = await c.get(base, headers=REGISTRAR)
        assert read.status_code == 200
        assert read.json() == changed.json()
        assert read.headers["ETag"] == changed.headers["ETag"]
        card = read.json()
        assert [d["recorded_on"] for d in card["debts"]] == ["2017-03-09", "2018-05-01"]
        assert [i["year"] for i in card["incomes"]] == [2017, 2018]
        assert len(card["members"]) == 3
        assert (await c.get(base, headers=OTHER_REGISTRAR)).status_code == 404


async def test_a_household_is_identified_for_this_year_or_next_years_plan_never_later(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        this_year = clock.today().year
        body = {
            "area_code": VILLAGE,
            "year": this_year + 2,
            "members": [member("head")],
            "poverty_causes": ["illness"],
            "batches": ["production_employment"],
        }
        r = await c.post("/registry/v1/households", json=body, headers=REGISTRAR)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert f"识别年度{this_year + 2}年太远" in r.json()["detail"]
        assert f"最晚{this_year + 1}年" in r.json()["detail"]
        assert r.json()["latest"] == this_year + 1
        # next year's plan is allowed (as a returned household enters next year's plan)
        assert (await candidate(c, year=this_year + 1))["year"] == this_year + 1
