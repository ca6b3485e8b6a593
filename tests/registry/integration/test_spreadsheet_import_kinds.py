"""The other import kinds on the staged machinery (real PostgreSQL): household incomes of a year,
the 低保 roll of civil affairs (GBK CSV and XLSX, checked in under tests/registry/fixtures) and
village collective incomes — a report per row in Chinese, both commit modes, one audit record and
the events the one-by-one routes emit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from services.registry.models import AreaIncome, Household, IncomeRecord
from shared.tables import audit_log, outbox
from tests.registry import fixtures as fx
from tests.registry.integration.helpers import (
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    registry_app,
)
from tests.registry.integration.test_spreadsheet_imports import BASE, UPLOADER, reasons_by_row, settled
from tests.support import service_client

pytestmark = pytest.mark.asyncio


async def upload(c: Any, kind: str, data: bytes, **params: str) -> dict[str, Any]:
    r = await c.post(BASE, params={"kind": kind, **params}, content=data, headers=UPLOADER)
    assert r.status_code == 202, r.text
    job = await settled(c, r.json()["id"])
    assert job["status"] == "validated", job
    return job


async def commit(c: Any, import_id: str, mode: str) -> Any:
    return await c.post(f"{BASE}/{import_id}/commit", json={"mode": mode}, headers=UPLOADER)


async def rows_of(c: Any, import_id: str) -> dict[int, dict[str, Any]]:
    r = await c.get(f"{BASE}/{import_id}/rows", headers=UPLOADER)
    assert r.status_code == 200, r.text
    return {i["row"]: i for i in r.json()["items"]}


async def report_lines(c: Any, import_id: str) -> list[list[Any]]:
    r = await c.get(f"{BASE}/{import_id}/report.xlsx", headers=UPLOADER)
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    return [list(v) for v in sheet.iter_rows(values_only=True)]


async def audits(app: Any, action: str) -> list[dict[str, Any]]:
    async with app.state.db.transaction() as s:
        return list(
            (await s.execute(select(audit_log.c.after).where(audit_log.c.action == action))).scalars()
        )


async def events(app: Any, type_: str) -> list[dict[str, Any]]:
    async with app.state.db.transaction() as s:
        return list((await s.execute(select(outbox.c.envelope).where(outbox.c.type == type_))).scalars())


async def test_household_incomes_by_head_id_get_a_reason_per_refused_row_and_commit_valid_rows(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        a = await candidate(c, members=[member("head", resident_id=fx.INCOME_HEAD_A)])
        b = await candidate(c, members=[member("head", resident_id=fx.INCOME_HEAD_B)])
        await candidate(
            c, members=[member("head", resident_id=fx.INCOME_HEAD_OTHER_VILLAGE)], area_code=OTHER_VILLAGE
        )
        job = await upload(c, "incomes", fx.read("incomes-2025.xlsx"))
        assert (job["rows_total"], job["rows_accepted"], job["rows_refused"]) == (7, 2, 5)
        assert job["households_accepted"] == 2
        masked_unknown = fx.INCOME_UNKNOWN_HEAD[:6] + "********" + fx.INCOME_UNKNOWN_HEAD[-4:]
        assert await reasons_by_row(c, job["id"]) == {
            4: ["该户2025年度的收入在本文件第2行已填写"],
            5: [f"身份证号为{masked_unknown}的人没有作为户主登记在任何一户"],
            6: [f"该户（{OTHER_VILLAGE}）不在您的辖区内"],
            7: [
                "人均纯收入(元)“3千”不是有效金额，应写作以元为单位、最多两位小数的数字，如3560.50",
                "该户2025年度的收入在本文件第3行已填写",
            ],
            8: [
                "人均纯收入(元)“9876.543”不是有效金额，应写作以元为单位、最多两位小数的数字，如3560.50",
            ],
        }
        lines = await report_lines(c, job["id"])
        assert lines[0] == [*fx.INCOME_HEADER, "错误原因"]
        assert lines[1][1] == fx.INCOME_HEAD_A[:6] + "********" + fx.INCOME_HEAD_A[-4:]  # masked
        assert lines[3][4] == "该户2025年度的收入在本文件第2行已填写"

        r = await commit(c, job["id"], "all_or_nothing")
        assert (r.status_code, r.json()["detail"]) == (
            409,
            "有5行未通过校验（第一处：第4行，该户2025年度的收入在本文件第2行已填写），"
            "按“全部或不导入”方式未导入任何一户",
        )
        assert (await commit(c, job["id"], "valid_rows_only")).status_code == 202
        done = await settled(c, job["id"])
        assert (done["status"], done["rows_committed"], done["households_committed"]) == ("committed", 2, 2)

        # what GET …/incomes/{year} answers now, as if each was entered one by one
        r = await c.get(f"/registry/v1/households/{a['id']}/incomes/2025", headers=UPLOADER)
        assert (r.status_code, r.json()["per_capita_income_fen"]) == (200, 683050)
        r = await c.get(f"/registry/v1/households/{b['id']}/incomes/2025", headers=UPLOADER)
        assert r.json()["per_capita_income_fen"] == 1240000
        updated = [e["data"] for e in await events(app, "registry.household.updated.v1")]
        assert sorted(
            (e["household_id"], e["change"], e["year"]) for e in updated if e["change"] == "income"
        ) == (sorted([(a["id"], "income", 2025), (b["id"], "income", 2025)]))
        (record,) = await audits(app, "household.incomes_imported")
        assert (record["incomes"], record["households"], record["rows_refused"], record["mode"]) == (
            2,
            2,
            5,
            "valid_rows_only",
        )


async def test_household_incomes_by_number_all_or_nothing_and_a_changed_year(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        a = await candidate(c, members=[member("head", resident_id=fx.INCOME_HEAD_A)])
        r = await c.put(
            f"/registry/v1/households/{a['id']}/incomes",
            json={"year": 2024, "per_capita_income_fen": 500000},
            headers=REGISTRAR,
        )
        assert r.status_code == 204, r.text
        # a 户编号 comes with identification or with the registration roll; given here directly
        number = "4407831012010077"
        async with app.state.db.transaction() as s:
            await s.execute(update(Household).where(Household.id == a["id"]).values(household_number=number))
        text = "\r\n".join(
            [
                "户编号,户主身份证号,年度,人均纯收入(元)",
                f"{number},,2024,5200.00",
                f"{number},{fx.INCOME_HEAD_A},2025,6100",
            ]
        )
        job = await upload(c, "incomes", text.encode("gbk"))
        assert (job["encoding"], job["rows_refused"]) == ("gb18030", 0), await reasons_by_row(c, job["id"])
        assert (await commit(c, job["id"], "all_or_nothing")).status_code == 202
        assert (await settled(c, job["id"]))["rows_committed"] == 2
        async with app.state.db.transaction() as s:
            got = {
                (i.year, i.per_capita_income_fen, i.version)
                for i in (await s.execute(select(IncomeRecord))).scalars()
            }
        assert got == {(2024, 520000, 2), (2025, 610000, 1)}  # a changed year bumps its version

        # the head's ID must belong to the household the number names
        bad = f"户编号,户主身份证号,年度,人均纯收入(元)\r\n{number},{fx.INCOME_HEAD_B},2023,1\r\n"
        job = await upload(c, "incomes", bad.encode("utf-8-sig"))
        masked = fx.INCOME_HEAD_B[:6] + "********" + fx.INCOME_HEAD_B[-4:]
        assert await reasons_by_row(c, job["id"]) == {
            2: [f"户主身份证号{masked}不是户{number}的户主，请核对户编号和身份证号"]
        }


@pytest.mark.parametrize("fixture", ["dibao-minzheng-gbk.csv", "dibao-minzheng.xlsx"])
async def test_dibao_roll_from_civil_affairs_gets_a_cross_check_finding_per_row(make_db, fixture):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        flagged = await candidate(
            c, members=[member("head", resident_id=fx.DIBAO_ON_ROLL_FLAGGED)], dibao=True
        )
        await candidate(c, members=[member("head", resident_id=fx.DIBAO_ON_ROLL_NOT_FLAGGED)])
        await candidate(c, dibao=True)  # marked 低保 but not on civil affairs' roll
        job = await upload(c, "dibao", fx.read(fixture), filename=fixture)
        assert job["encoding"] == ("gb18030" if fixture.endswith(".csv") else None)
        assert (job["rows_accepted"], job["rows_refused"]) == (3, 2)
        rows = await rows_of(c, job["id"])
        assert {n: (r["status"], r["outcome"]) for n, r in rows.items()} == {
            2: ("accepted", "一致"),
            3: ("accepted", "不一致：在低保名单上，但该户在建档立卡系统中未标记为低保户"),
            4: ("accepted", "未登记"),
            5: ("refused", None),
            6: ("refused", None),
        }
        bad = fx.DIBAO_BAD_CHECK_DIGIT
        assert rows[5]["reasons"] == [f"尾号为{bad[-4:]}的身份证号校验位不对，请核对"]
        assert rows[6]["reasons"] == ["此人（身份证号）在本文件第2行已出现"]
        lines = await report_lines(c, job["id"])
        assert lines[0] == [*fx.DIBAO_HEADER, "错误原因", "核对结果"]
        assert lines[1][4:] == [None, "一致"]
        assert lines[3][4:] == [None, "未登记"]

        assert (await commit(c, job["id"], "all_or_nothing")).status_code == 409
        assert (await commit(c, job["id"], "valid_rows_only")).status_code == 202
        assert (await settled(c, job["id"]))["status"] == "committed"
        (record,) = await audits(app, "dibao.cross_checked")
        assert {k: record[k] for k in ("lines", "matched", "on_roll_not_flagged", "not_registered")} == {
            "lines": 3,
            "matched": 1,
            "on_roll_not_flagged": 1,
            "not_registered": 1,
        }
        assert record["flagged_not_on_roll"] == 1
        assert flagged["id"] != record["import_id"]


async def test_village_collective_incomes_from_a_gbk_csv(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        job = await upload(c, "village_incomes", fx.read("village-incomes-gbk.csv"))
        assert await reasons_by_row(c, job["id"]) == {
            4: [f"代码{fx.TOWN}不是村级代码，集体经济收入按村填写"],
            5: ["村代码440783101299不存在"],
            6: ["该村2025年度的集体经济收入在本文件第2行已填写"],
        }
        assert (await commit(c, job["id"], "valid_rows_only")).status_code == 202
        assert (await settled(c, job["id"]))["rows_committed"] == 2
        async with app.state.db.transaction() as s:
            got = {
                (i.area_code, i.year, i.collective_income_fen)
                for i in (await s.execute(select(AreaIncome))).scalars()
            }
        assert {g for g in got if g[0] == VILLAGE} == {(VILLAGE, 2025, 5200000), (VILLAGE, 2024, 3100000)}
        r = await c.get(f"/registry/v1/areas/{VILLAGE}", headers=UPLOADER)
        assert (r.json()["collective_income_year"], r.json()["collective_income_fen"]) == (2025, 5200000)
        upserted = [
            e["data"] for e in await events(app, "registry.area.upserted.v1") if e["data"]["code"] == VILLAGE
        ]
        assert upserted[-1]["collective_income_fen"] == 5200000
        (record,) = await audits(app, "area.incomes_imported")
        assert (record["incomes"], record["villages"], record["rows_refused"]) == (2, 1, 3)


@pytest.mark.parametrize(
    ("kind", "headers", "dropdown"),
    [
        ("incomes", ["户编号", "户主身份证号", "年度", "人均纯收入(元)"], "C"),
        ("dibao", ["姓名", "身份证号", "行政区划代码"], None),
        ("village_incomes", ["村代码", "年度", "集体经济收入(元)"], "B"),
    ],
)
async def test_each_kind_has_a_template_whose_example_row_is_accepted_by_its_rules(
    make_db, kind, headers, dropdown
):
    from shared.clock import clock
    from shared.resident_id import validate

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.get(f"{BASE}/templates/{kind}.xlsx", headers=UPLOADER)
        assert r.status_code == 200
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        book = load_workbook(io.BytesIO(r.content))
        ws = book.worksheets[0]
        assert [cell.value for cell in ws[1]] == headers
        example = [cell.value for cell in ws[2]]
        for header, value in zip(headers, example, strict=True):
            if "身份证" in header:
                assert validate(str(value)).number == value
        letters = {str(dv.sqref)[0] for dv in ws.data_validations.dataValidation}
        assert letters == ({dropdown} if dropdown else set())
        if dropdown:
            years = [cell.value for cell in book["可选值"]["A"]]
            assert years[:2] == ["年度", str(clock.today().year)]
