"""The registration roll's 低保户 / 五保户 / 劳动意愿 columns: the spreadsheet takes what the JSON
registration takes (HouseholdAttributes dibao, five_guarantee, labour_willing).

Kaiping seed 004 五(一): "对全镇低保对象全面开展建档立卡工作，并在此基础上将有劳动能力且愿意接受帮扶的
低保户识别出来，作为本轮精准扶贫的重点帮扶对象" — a roll that cannot say 低保 and willingness registers every
household as non-低保 and loses exactly the households that seed names."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.registry.imports.rules import HEADERS
from services.registry.models import Household
from shared.clock import clock
from shared.tables import outbox
from tests.registry.integration.helpers import VILLAGE, load_areas, person_id, registry_app
from tests.registry.integration.test_spreadsheet_imports import (
    BASE,
    UPLOADER,
    reasons_by_row,
    settled,
    upload,
    write_xlsx,
)
from tests.support import service_client

pytestmark = pytest.mark.asyncio


def _head(key: str, name: str, dibao: str, five: str, willing: str) -> list[str]:
    today = clock.today()
    return [
        key,
        VILLAGE,
        name,
        person_id(),
        "户主",
        "普通劳动力",
        "因病",
        "",
        str(today.year),
        today.isoformat(),
    ] + [
        dibao,
        five,
        willing,
    ]


async def test_roll_registers_dibao_five_guarantee_and_willingness_and_names_bad_values(make_db, tmp_path):
    assert HEADERS[-3:] == ("低保户", "五保户", "劳动意愿")
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows = [
            _head("D1", "王低保", "是", "否", "有"),  # row 2: a key target (低保, capable, willing)
            _head("D2", "李五保", "否", "是", "无"),  # row 3
            _head("D3", "张未填", "", "", ""),  # row 4: the older template's meaning: not 低保, unknown
            _head("D4", "赵错填", "可能", "否", "也许"),  # row 5: two bad cells, both named
        ]
        r = await upload(c, write_xlsx(tmp_path / "dibao.xlsx", rows))
        assert r.status_code == 202, r.text
        import_id = r.json()["id"]
        job = await settled(c, import_id)
        assert (job["rows_accepted"], job["rows_refused"]) == (3, 1), job
        assert await reasons_by_row(c, import_id) == {
            5: [
                "低保户“可能”应填写“是”或“否”（也可写有/无）",
                "劳动意愿“也许”应填写“是”或“否”（也可写有/无）",
            ]
        }
        r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "valid_rows_only"}, headers=UPLOADER)
        assert r.status_code == 202, r.text
        assert (await settled(c, import_id))["status"] == "committed"

        async with app.state.db.transaction() as s:
            got = {
                h.household_number: (h.dibao, h.five_guarantee, h.labour_willing)
                for h in (await s.execute(select(Household))).scalars()
            }
            events = [
                json.loads(p) if isinstance(p, str) else p
                for p in (await s.execute(select(outbox.c.envelope))).scalars()
            ]
        assert got == {"D1": (True, False, True), "D2": (False, True, False), "D3": (False, False, None)}
        registered = {
            e["data"]["household_number"]: e["data"]["dibao"]
            for e in events
            if e["type"] == "registry.household.registered.v1"
        }
        assert registered == {"D1": True, "D2": False, "D3": False}

        # the household reads back as a JSON-registered one would
        r = await c.get("/registry/v1/households", params={"area_code": VILLAGE}, headers=UPLOADER)
        assert r.status_code == 200, r.text
        by_number = {h["household_number"]: h for h in r.json()["items"]}
        assert by_number["D1"]["dibao"] is True
