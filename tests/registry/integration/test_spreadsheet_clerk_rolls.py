"""Rolls as a township clerk keeps them in Excel, through the staged import on a real PostgreSQL:
an Excel 97-2003 .xls, resident IDs Excel stored as numbers (4.40783E+17), IDs typed full-width or
with spaces, 户编号 merged over a household's rows, a 合计 line under the roll, the national
system's column names, and the row an all-or-nothing refusal sends the clerk to."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from services.registry.imports.rules import HEADERS
from services.registry.models import Household, Member
from tests.registry.integration.helpers import VILLAGE, load_areas, person_id, registry_app
from tests.registry.integration.test_spreadsheet_imports import (
    BASE,
    UPLOADER,
    counts,
    reasons_by_row,
    settled,
    upload,
)
from tests.support import service_client

pytestmark = pytest.mark.asyncio

FIXTURES = Path(__file__).parents[1] / "fixtures"
YEAR, ON = "2026", "2026-12-01"
OLD_ROLL = {"source_roll": "三合村花名册", "reason": "补录纸质花名册"}  # ON may be past the tolerance


def _head(key: str, name: str, rid: object) -> list[object]:
    return [key, VILLAGE, name, rid, "户主", "普通劳动力", "因病", "", YEAR, ON]


def _member(key: str | None, name: str, rid: object, relation: str = "配偶") -> list[object]:
    return [key, None, name, rid, relation, "无劳动力", None, None, None, None]


def _xlsx(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Workbook:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(header or list(HEADERS[:10]))
    for r in rows:
        ws.append(r)
    return book


def _bytes(book: Workbook, path: Path) -> bytes:
    book.save(path)
    return path.read_bytes()


async def test_an_excel_97_xls_roll_imports_and_a_file_of_no_sheet_is_a_422_not_a_500(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        # written by Excel 97-2003's format (xlwt): 欧阳明 and his wife, IDs as text
        r = await upload(c, (FIXTURES / "roll-excel97.xls").read_bytes(), filename="老表.xls", **OLD_ROLL)
        assert r.status_code == 202, r.text
        assert r.json()["file_format"] == "xls"
        job = await settled(c, r.json()["id"])
        assert (job["rows_accepted"], job["rows_refused"], job["households_accepted"]) == (2, 0, 1), job
        assert (await c.get(f"{BASE}/{job['id']}/rows", headers=UPLOADER)).json()["items"][1]["cells"][
            :3
        ] == [
            "XL001",
            None,
            "欧阳红",
        ]

        before = await counts(app)
        r = await upload(c, b"%PDF-1.4\n\xff\xfe\x81\x20\xff\x00 a scanned roll")
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == (
            "这个文件不是Excel表格（XLSX、XLS），也不是UTF-8或GBK编码的CSV，请在Excel中另存为XLSX后上传"
        )
        assert await counts(app) == before


async def test_an_id_excel_kept_as_a_number_is_refused_saying_its_digits_are_lost(make_db, tmp_path):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        head, wife = person_id(), person_id(date(1972, 1, 2), sex="female")
        # the ID column typed without formatting it as text: the cell holds a number of 15 digits
        book = _xlsx(
            tmp_path / "n.xlsx",
            [_head("N001", "王一", float(head[:17] + "0")), _member("N001", "李一", wife)],
        )
        r = await upload(c, _bytes(book, tmp_path / "n.xlsx"), **OLD_ROLL)
        assert r.status_code == 202, r.text
        job = await settled(c, r.json()["id"])
        assert (job["rows_accepted"], job["rows_refused"]) == (0, 2), job
        lost = (
            "身份证号被表格存成了数字（显示为4.40783E+17），后几位已丢失："
            "请把身份证号一列设为“文本”格式，照身份证重新录入"
        )
        assert await reasons_by_row(c, job["id"]) == {2: [lost], 3: ["同户第2行有错误，整户未导入"]}

        # the roll exported from the system, its IDs masked, typed back in
        masked = head[:6] + "********" + head[-4:]
        book = _xlsx(tmp_path / "x.xlsx", [_head("N201", "王一", masked)])
        job = await settled(c, (await upload(c, _bytes(book, tmp_path / "x.xlsx"), **OLD_ROLL)).json()["id"])
        assert await reasons_by_row(c, job["id"]) == {
            2: ["身份证号中间几位已隐去（从系统导出的表格里就是这样），请填写完整的身份证号"]
        }

        # the CSV Excel saves from such a sheet carries what it showed
        text = (
            ",".join(HEADERS[:10])
            + "\r\n"
            + ",".join(["N101", VILLAGE, "张二", "4.40783E+17", "户主", "普通劳动力", "因病", "", YEAR, ON])
            + "\r\n"
        )
        r = await upload(c, text.encode("gbk"), **OLD_ROLL)
        job = await settled(c, r.json()["id"])
        assert await reasons_by_row(c, job["id"]) == {2: [lost]}


async def test_ids_typed_full_width_or_spaced_merged_household_cells_and_a_total_line_read_as_shown(
    make_db, tmp_path
):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        ids = [person_id(date(1960 + k, 3, 4), sex="female" if k % 2 else "male") for k in range(5)]
        ids_x = next(  # one in eleven IDs ends in X: search a year of birthdays, whatever the sequence
            i
            for i in (person_id(date(1980, m, d)) for m in range(1, 13) for d in range(1, 29))
            if i.endswith("X")
        )
        full_width = ids[1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        rows: list[list[object]] = [
            _head(
                "M001", " 王一　", ids[0]
            ),  # row 2; the name with a space before and a full-width one after
            _member("M001", "李一", full_width),  # row 3
            _member("M001", "王小", ids_x.lower(), "子女"),  # row 4: a lower-case x
            [None] * 10,  # row 5: a blank line between households
            _head("M002", "张二", f"{ids[2][:6]} {ids[2][6:14]} {ids[2][14:]}"),  # row 6: grouped as printed
            _member("M002", "赵二", "　" + ids[3], "配偶"),  # row 7
            _member("M002", "张小", ids[4], "子女"),  # row 8
            ["合计", None, "共2户6人"],  # row 9
        ]
        book = _xlsx(tmp_path / "m.xlsx", rows)
        ws = book.active
        assert ws is not None
        # 户编号 and 行政区划代码 merged over each household's rows, as offices print the roll
        for first, last in ((2, 4), (6, 8)):
            for col in "AB":
                for r in range(first + 1, last + 1):
                    ws[f"{col}{r}"].value = None
                ws.merge_cells(f"{col}{first}:{col}{last}")
        r = await upload(c, _bytes(book, tmp_path / "m.xlsx"), **OLD_ROLL)
        assert r.status_code == 202, r.text
        job = await settled(c, r.json()["id"])
        assert await reasons_by_row(c, job["id"]) == {}
        assert (job["rows_total"], job["rows_accepted"], job["households_accepted"]) == (6, 6, 2), job

        before = await counts(app)
        r = await c.post(f"{BASE}/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 202, r.text
        assert (await settled(c, job["id"]))["households_committed"] == 2
        assert (await counts(app))[:2] == (before[0] + 2, before[1] + 6)
        async with app.state.db.transaction() as s:
            found = (
                await s.execute(select(Household).where(Household.household_number.in_(["M001", "M002"])))
            ).scalars()
            assert sorted((h.household_number, h.member_count, h.head_name) for h in found) == [
                ("M001", 3, "王一"),
                ("M002", 3, "张二"),
            ]
        # the same people once more, now with ASCII IDs: each is found already registered
        plain = [
            _head("M101", "王一", ids[0]),
            _member("M101", "李一", ids[1]),
            _member("M101", "王小", ids_x, "子女"),
        ]
        r = await upload(c, _bytes(_xlsx(tmp_path / "p.xlsx", plain), tmp_path / "p.xlsx"), **OLD_ROLL)
        reasons = await reasons_by_row(c, (await settled(c, r.json()["id"]))["id"])
        assert all(any(x.startswith("此人已在户M001") for x in reasons[n]) for n in (2, 3, 4)), reasons


async def test_the_national_systems_column_names_and_a_title_above_the_header_read(make_db, tmp_path):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        header = [
            "户编号",
            "行政区划代码",
            "成员姓名",
            "公民身份号码",
            "与户主的关系",
            "劳动技能",
            "致贫原因",
            "帮扶批次",
            "识别年度",
            "登记时间",
        ]
        book = _xlsx(tmp_path / "g.xlsx", [_head("G001", "王一", person_id())], header)
        r = await upload(c, _bytes(book, tmp_path / "g.xlsx"), **OLD_ROLL)
        assert r.status_code == 202, r.text
        assert (await settled(c, r.json()["id"]))["rows_accepted"] == 1

        # the roll's title merged above the header, and a line naming the office: rows keep the
        # numbers the clerk sees in Excel
        book = Workbook()
        ws = book.active
        assert ws is not None
        ws.append(["三合村建档立卡贫困户花名册"])
        ws.merge_cells("A1:J1")
        ws.append(["填报单位：赤水镇人民政府"])
        ws.append(list(HEADERS[:10]))
        ws.append(_head("T001", "王三", person_id(date(1950, 1, 1))))
        ws.append(_member("T001", "李三", "44078319500101001"))  # row 5: 17 characters
        r = await upload(c, _bytes(book, tmp_path / "t.xlsx"), **OLD_ROLL)
        assert r.status_code == 202, r.text
        job = await settled(c, r.json()["id"])
        assert await reasons_by_row(c, job["id"]) == {
            4: ["同户第5行有错误，整户未导入"],
            5: ["身份证号应为18位：前17位为数字，最后一位为数字或X"],
        }

        # a header not found: the row that comes closest, and what it lacks
        header[2] = "户主姓名"
        r = await upload(c, _bytes(_xlsx(tmp_path / "h.xlsx", [], header), tmp_path / "h.xlsx"))
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == (
            "表头缺少：姓名。只在第一张工作表的前10行中找表头，最接近的是第1行：户编号、行政区划代码、户主姓名、"
            "公民身份号码、与户主的关系、劳动技能、致贫原因、帮扶批次、识别年度、登记时间"
            "（可下载模板对照，把表头改成模板的写法）"
        )


async def test_all_or_nothing_sends_the_clerk_to_the_row_to_correct_not_to_its_household_head(
    make_db, tmp_path
):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows = [
            _head("B001", "王一", person_id()),  # row 2: refused only for row 4
            _member("B001", "李一", person_id(date(1971, 2, 3), sex="female")),  # row 3
            _member("B001", "王小", person_id(date(2001, 2, 3)), "侄子"),  # row 4: the error
        ]
        r = await upload(c, _bytes(_xlsx(tmp_path / "b.xlsx", rows), tmp_path / "b.xlsx"), **OLD_ROLL)
        job = await settled(c, r.json()["id"])
        assert job["rows_refused"] == 3
        r = await c.post(f"{BASE}/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 409, r.text
        why = (
            "与户主关系“侄子”不在可选值中"
            "（户主、配偶、子女、儿媳或女婿、孙子女、父母、祖父母、兄弟姐妹、其他）"
        )
        assert (r.json()["first_refused_row"], r.json()["first_refused_reasons"]) == (4, [why])
        assert (
            r.json()["detail"]
            == f"有3行未通过校验（第一处：第4行，{why}），按“全部或不导入”方式未导入任何一户"
        )
        # the report: that row's reason beside it, the masked ID shown whole
        r = await c.get(f"{BASE}/{job['id']}/report.xlsx", headers=UPLOADER)
        sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
        assert (sheet["C4"].value, sheet["K4"].value) == ("王小", why)
        assert sheet.column_dimensions["D"].width >= len(sheet["D4"].value) + 2


async def test_the_clerks_words_and_serial_dates_read_and_refusals_name_what_she_typed(make_db, tmp_path):
    """丧失劳动力 (the national system's word) is 无劳动力; a date Excel kept as its serial in a text
    cell ("42434") is that date; a batch not in the area's set and a 户编号 Excel kept as a number
    are refused naming what the clerk typed, like the other columns."""
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        wife, ok, number_key, bad_batch = (
            person_id(date(1972, 1, 2), sex="female"), person_id(date(1950, 1, 1)),
            person_id(date(1951, 1, 1)), person_id(date(1952, 1, 1)),
        )  # fmt: skip
        serial = [*_head("S001", "王四", ok)[:5], "丧失劳动力", "因病", "", YEAR, "42434"]  # row 2
        rows: list[list[object]] = [
            serial,
            [*_member("S001", "李四", wife)[:5], "丧失劳动能力", None, None, None, None],  # row 3
            _head(float(440783101201000123), "张五", number_key),  # row 4: 户编号 kept as a number
            [*_head("S003", "赵六", bad_batch)[:7], "易地搬迁脱贫一批", YEAR, "12345"],  # row 5
        ]
        book = _xlsx(tmp_path / "s.xlsx", rows)
        r = await upload(c, _bytes(book, tmp_path / "s.xlsx"), **OLD_ROLL)
        assert r.status_code == 202, r.text
        job = await settled(c, r.json()["id"])
        assert await reasons_by_row(c, job["id"]) == {
            4: [
                "户编号被表格存成了数字（显示为4.40783E+17），后几位已丢失：请把户编号一列设为“文本”格式，"
                "照原花名册重新录入"
            ],
            # 12345 is 1933-10-18 as a serial: no date of a roll, refused as before
            5: [
                "登记日期“12345”不是有效日期，应写作2026-12-03",
                "帮扶批次“易地搬迁脱贫一批”不在本地区的批次中；可选：扶持生产和就业发展一批、发展教育脱贫一批、"
                "低保政策兜底一批",
            ],
        }

        r = await c.post(f"{BASE}/{job['id']}/commit", json={"mode": "valid_rows_only"}, headers=UPLOADER)
        assert r.status_code == 202, r.text
        assert (await settled(c, job["id"]))["households_committed"] == 1
        async with app.state.db.transaction() as s:
            h = (await s.execute(select(Household).where(Household.household_number == "S001"))).scalar_one()
            capacities = (
                await s.execute(select(Member.labour_capacity).where(Member.household_id == h.id))
            ).scalars()
            assert (h.registered_on, sorted(capacities)) == (date(2016, 3, 5), ["none", "none"])
        # the vocabulary keeps its own words
        lists = {v["name"]: v for v in (await c.get("/registry/v1/vocabulary")).json()["lists"]}
        assert [v["label"] for v in lists["labour_capacity"]["values"]] == [
            "普通劳动力", "弱劳动力或半劳动力", "无劳动力", "未到劳动年龄"
        ]  # fmt: skip
