"""A new household's answer is built from what was written (not read back): it must be the card a
GET shows, and what was written must be all there (members, audit, event, counters)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from shared.audit import GENESIS, verify_chain
from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
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


async def test_a_new_household_answers_the_card_a_read_shows_and_starts_its_audit_chain(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await candidate(c)  # another household before it: its rows stay its own
        body = {
            "area_code": VILLAGE,
            "year": 2017,
            "members": [
                member("head", resident_id=person_id(date(1961, 2, 3))),
                member("spouse", name="李小红", resident_id=person_id(sex="female")),
                member("child", name="王小明", resident_id=person_id(date(2008, 1, 2)), in_school=True),
            ],
            "poverty_causes": ["illness", "schooling", "illness"],
            "batches": ["production_employment"],
            "labour_willing": True,
            "basic_needs": {"safe_housing": True, "food": False},
            "income_channels": ["farming"],
            "plan": "养殖",
        }
        made = await c.post("/registry/v1/households", json=body, headers=REGISTRAR)
        assert made.status_code == 201, made.text
        read = await c.get(f"/registry/v1/households/{made.json()['id']}", headers=REGISTRAR)
        assert read.status_code == 200
        assert made.json() == read.json()
        assert made.headers["ETag"] == read.headers["ETag"]
        assert [m["name"] for m in sorted(made.json()["members"], key=lambda m: m["relation"])] == [
            "王小明",
            "王大明",
            "李小红",
        ]
        assert made.json()["poverty_causes"] == ["illness", "schooling"]
        assert made.json()["incomes"] == []
        assert made.json()["debts"] == []

        hid = made.json()["id"]
        async with app.state.db.transaction() as s:
            audited = (await s.execute(select(audit_log).where(audit_log.c.entity_id == hid))).all()
            assert [(r.action, r.prev_hash, r.before) for r in audited] == [
                ("household.candidate_created", GENESIS, None)
            ]
            assert audited[0].after["member_count"] == 3
            assert await verify_chain(s) == (True, None)
            events = (await s.execute(select(outbox.c.type).where(outbox.c.subject == hid))).scalars().all()
            assert events == ["registry.household.candidate_created.v1"]
        rollup = (await c.get(f"/registry/v1/rollups/{VILLAGE}?year=2017", headers=REGISTRAR)).json()
        assert rollup["by_status"]["candidate"] == {"households": 2, "persons": 5}
