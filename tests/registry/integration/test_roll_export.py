"""The roll (花名册) of an area as a spreadsheet a clerk opens in Excel: Chinese headers (the import
template's), one row per member with the head first, codes in words, resident IDs masked."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from services.registry.households import roll_export
from services.registry.imports.rules import HEADERS
from tests.registry.integration.helpers import (
    APPROVER,
    COUNTY_REGISTRAR,
    OTHER_REGISTRAR,
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.registry.integration.test_spreadsheet_imports import settled, upload
from tests.support import service_client

pytestmark = pytest.mark.asyncio


async def test_the_village_roll_opens_with_chinese_headers_one_row_per_member(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        done = await registered(c)
        spouse_id = person_id(sex="female")
        await candidate(
            c, members=[member("spouse", name="李小红", resident_id=spouse_id), member("head", name="张建国")]
        )
        await candidate(c, area_code="440783101202")  # another village: not on this roll

        r = await c.get(f"/registry/v1/rollups/{VILLAGE}/roll.xlsx", headers=REGISTRAR)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
        lines = [list(v) for v in sheet.iter_rows(values_only=True)]
        assert sheet.title == "花名册"
        assert lines[0] == [*HEADERS, "户状态"]
        assert len(lines) == 1 + 4  # two households of two members each
        by_number = {line[0]: line for line in lines[1:] if line[1]}  # the heads' rows
        head = by_number[done["household_number"]]
        assert head[1:3] == [VILLAGE, "王大明"]
        assert head[3].startswith("440783********")  # masked, as everywhere
        # the ID column shows all 18 characters (a column of 12 cut it off beside 与户主关系)
        assert sheet.column_dimensions["D"].width >= len(head[3]) + 2
        assert head[4:8] == ["户主", "普通劳动力", "因病", "扶持生产和就业发展一批"]
        assert (head[8], head[13]) == (2017, "已建档立卡")
        new_rows = [line for line in lines[1:] if line[0] is None]  # a candidate has no number yet
        assert [line[2] for line in new_rows] == ["张建国", "李小红"]  # the head first
        assert (new_rows[1][1], new_rows[1][4], new_rows[0][13]) == (None, "配偶", "拟识别")

        url = f"/registry/v1/rollups/{VILLAGE}/roll.xlsx"
        only = await c.get(url, params={"status": "registered"}, headers=REGISTRAR)
        assert len(list(load_workbook(io.BytesIO(only.content)).worksheets[0].iter_rows())) == 1 + 2
        codes = await c.get(url, params={"headers": "codes"}, headers=COUNTY_REGISTRAR)
        first = next(load_workbook(io.BytesIO(codes.content)).worksheets[0].iter_rows(values_only=True))
        assert first[:3] == ("household_key", "area_code", "name")

        # another village's clerk cannot take this village's roll
        r = await c.get(f"/registry/v1/rollups/{VILLAGE}/roll.xlsx", headers=OTHER_REGISTRAR)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"


async def test_a_roll_too_large_for_one_workbook_is_refused_naming_the_way_out(make_db, monkeypatch):
    """A city's or a province's roll would be built in the service's memory: refused (422) with what to
    do instead, while a village's roll under the limit still opens."""
    monkeypatch.setattr(roll_export, "MAX_ROWS", 2)
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await candidate(c, members=[member("spouse", name="李小红", resident_id=person_id(sex="female")),
                                    member("head", name="张建国")])  # fmt: skip
        roll = f"/registry/v1/rollups/{VILLAGE}/roll.xlsx"
        assert (await c.get(roll, headers=REGISTRAR)).status_code == 200

        await candidate(c)  # a third member on the village's roll
        r = await c.get(roll, headers=REGISTRAR)
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["type"].endswith("/roll-too-large")
        assert problem["detail"] == f"{VILLAGE} 的花名册超过 2 人，请按乡镇或村分别导出"
        assert problem["title"] == "花名册过大，无法导出为一个表格"
        assert problem["max_rows"] == 2


async def test_the_roll_comes_by_village_and_household_number_each_household_as_entered(make_db):
    """A clerk lays the export beside her own roll: villages in code order, households by 户编号
    (those not registered yet, without one, after them), the head first and the others as a roll
    lists them (配偶, 子女 … 父母; the members table keeps no order of entry)."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        await candidate(c, area_code=OTHER_VILLAGE)  # the next village's: after all of this one
        await candidate(c, members=[member("head", name="孙未")])  # no number yet: after the numbered
        book = Workbook()
        ws = book.active
        assert ws is not None
        ws.append(list(HEADERS[:10]))
        head = ["户主", "普通劳动力", "因病", "", "2026", "2026-12-01"]
        for key in ("R004", "R002", "R005", "R001"):
            ws.append([key, VILLAGE, f"户{key}", person_id(date(1960, 1, 1)), *head])
        family = [  # the clerk's own order: head, wife, son, his mother (older than the wife)
            ["R003", VILLAGE, "王三", person_id(date(1965, 1, 1)), *head],
            ["R003", None, "李三", person_id(date(1968, 1, 1), sex="female"), "配偶", "普通劳动力"],
            ["R003", None, "王小三", person_id(date(1995, 1, 1)), "子女", "普通劳动力"],
            ["R003", None, "赵三", person_id(date(1940, 1, 1), sex="female"), "父母", "无劳动力"],
        ]
        for row in family:
            ws.append(row)
        data = io.BytesIO()
        book.save(data)
        old_roll = {"source_roll": "三合村花名册", "reason": "补录纸质花名册"}
        job = await settled(c, (await upload(c, data.getvalue(), **old_roll)).json()["id"])
        assert job["households_accepted"] == 5, job
        r = await c.post(
            f"/registry/v1/imports/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=APPROVER
        )
        assert r.status_code == 202, r.text
        assert (await settled(c, job["id"]))["households_committed"] == 5

        r = await c.get(f"/registry/v1/rollups/{VILLAGE[:9]}000/roll.xlsx", headers=COUNTY_REGISTRAR)
        assert r.status_code == 200, r.text
        lines = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))[1:]
        assert [(line[0], line[2]) for line in lines] == [
            ("R001", "户R001"),
            ("R002", "户R002"),
            ("R003", "王三"),
            ("R003", "李三"),
            ("R003", "王小三"),
            ("R003", "赵三"),
            ("R004", "户R004"),
            ("R005", "户R005"),
            (None, "孙未"),
            (None, "王大明"),  # the other village's candidate, its head
            (None, "李小红"),
        ]
        assert [line[1] for line in lines if line[1]] == [VILLAGE] * 6 + [OTHER_VILLAGE]
