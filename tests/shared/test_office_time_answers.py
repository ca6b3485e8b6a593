"""Answers give their times in the office's zone, with its offset (China time: +08:00).

Found running the system (stop 26): a clerk working at 02:30 on 6 December in Beijing read every
answer's timestamp as "2026-12-05T18:30:00Z" — the day before. The same instants now read
"2026-12-06T02:30:00+08:00" in the answers of every service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from services.funds.app import create_app as funds_app
from services.funds.settings import FundsSettings
from services.inspection.app import create_app as inspection_app
from services.inspection.settings import InspectionSettings
from services.pairing.app import create_app as pairing_app
from services.pairing.settings import PairingSettings
from services.registry.app import create_app as registry_app
from services.registry.settings import RegistrySettings
from shared.clock import clock
from shared.resident_id import make
from shared.spreadsheets import Column, Sheet, csv_rows, xlsx_file
from tests.pairing import factories as pairing
from tests.support import auth, service_client, settings_for

NIGHT_UTC = datetime(2026, 12, 5, 18, 30, tzinfo=UTC)  # 02:30 on 6 December in Beijing
BEIJING = "2026-12-06T02:30:00+08:00"
COUNTY, TOWN, VILLAGE = "440783000000", "440783101000", "440783101201"


@pytest.mark.asyncio
async def test_registry_timeline_reads_the_night_in_china_time(make_db: Callable[[str], str]) -> None:
    app = registry_app(settings_for(RegistrySettings, make_db("registry")))
    registrar = auth("registrar", VILLAGE)
    async with service_client(app) as client:
        with clock.frozen(NIGHT_UTC):
            areas = [
                {"code": "440000000000", "name": "广东省"},
                {"code": "440700000000", "name": "江门市"},
                {"code": COUNTY, "name": "开平市"},
                {"code": TOWN, "name": "赤水镇", "synthetic_code": True},
                {"code": VILLAGE, "name": "步栏村", "rural_population": 1000, "synthetic_code": True},
            ]
            r = await client.post(
                "/registry/v1/areas", json={"areas": areas}, headers=auth("registrar", "440000000000")
            )
            assert r.status_code == 200, r.text
            member = {
                "name": "时区测试",
                "resident_id": make("440783", date(1970, 1, 1), 8, sex="male"),
                "relation": "head",
                "labour_capacity": "full",
            }
            body = {"area_code": VILLAGE, "year": 2026, "poverty_causes": ["illness"], "members": [member]}
            r = await client.post("/registry/v1/households", json=body, headers=registrar)
            assert r.status_code == 201, r.text
        r = await client.get(f"/registry/v1/households/{r.json()['id']}/timeline", headers=registrar)
    assert r.status_code == 200, r.text
    step = r.json()["steps"][0]
    assert (step["at"], step["on"]) == (BEIJING, "2026-12-06")


@pytest.mark.asyncio
async def test_inspection_and_funds_answers_read_the_night_in_china_time(
    make_db: Callable[[str], str],
) -> None:
    inspector = auth("inspector", COUNTY, sub="inspector-zhao")
    app = inspection_app(settings_for(InspectionSettings, make_db("inspection")))
    async with service_client(app) as client:
        with clock.frozen(NIGHT_UTC):
            plan = {
                "kind": "unannounced",
                "title": "夜间暗访",
                "starts_on": "2026-12-06",
                "ends_on": "2026-12-08",
                "target_areas": [VILLAGE],
                "team": [{"name": "赵组长", "role": "leader"}],
            }
            created = await client.post("/inspection/v1/inspections", json=plan, headers=inspector)
        assert created.status_code == 201, created.text
        read = await client.get(f"/inspection/v1/inspections/{created.json()['id']}", headers=inspector)
    assert [created.json()["created_at"], read.json()["created_at"]] == [BEIJING, BEIJING]

    # funds stamps its rows with the database's now(): a row stored at that instant
    finance = auth("finance", COUNTY, sub="county-finance")
    app = funds_app(settings_for(FundsSettings, make_db("funds")))
    url = f"/funds/v1/budget-declarations/{COUNTY}/2026"
    async with service_client(app) as client:
        declared = {"local_revenue_increase_fen": 100, "recovered_idle_funds_fen": 0}
        r = await client.put(url, json=declared, headers=finance)
        assert r.status_code == 200, r.text
        async with app.state.db.transaction() as session:
            await session.execute(text("UPDATE budget_declaration SET updated_at = :at"), {"at": NIGHT_UTC})
        r = await client.get(url, headers=finance)
    assert r.status_code == 200, r.text
    assert r.json()["updated_at"] == BEIJING


@pytest.mark.asyncio
async def test_pairing_needs_read_the_night_in_china_time(make_db: Callable[[str], str]) -> None:
    app = pairing_app(settings_for(PairingSettings, make_db("pairing")))
    async with service_client(app) as client:
        with clock.frozen(NIGHT_UTC):
            await pairing.area(app, pairing.V1)
            await pairing.household(app, pairing.V1)
        r = await client.get("/pairing/v1/needs?status=open", headers=pairing.OFFICE)
    assert r.status_code == 200, r.text
    needs: list[dict[str, Any]] = r.json()["items"]
    assert [n["opened_at"] for n in needs] == [BEIJING]


def test_exports_show_the_night_in_china_time() -> None:
    """A CSV writes the answers' text; a workbook (Excel has no zones) the wall-clock time in Beijing."""
    columns = [Column("signed_at", "签字时间")]
    csv = b"".join(csv_rows(columns, [[NIGHT_UTC]])).decode("utf-8-sig")
    assert csv.splitlines()[1] == BEIJING
    book = load_workbook(xlsx_file([Sheet("签字", columns, [[NIGHT_UTC]])]))
    assert book.active["A2"].value == datetime(2026, 12, 6, 2, 30)
