"""The 结对帮扶名单 import on a real PostgreSQL: the template, a real XLSX and a GBK CSV (checked in
under tests/pairing/fixtures), a reason in Chinese per refused row, both commit modes, the events
and the one audit record, the same file twice, a cancel that leaves nothing, and the commit's
second look when the world moved after validation."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from services.pairing.imports import service
from services.pairing.models import Helper, Pairing, PairingImport, PairingImportRow, PairingNeed
from services.registry.areas.reference import CHISHUI_KEY_VILLAGES
from shared.auth import Principal
from shared.clock import clock
from shared.tables import audit_log, outbox
from tests.pairing import fixtures as fx
from tests.pairing.factories import OFFICE, TODAY, V1, V2, helper, household, pair
from tests.support import auth, wait_for

pytestmark = pytest.mark.asyncio
BASE = "/pairing/v1/imports"
OPENED = "pairing.pairing.opened.v1"
OFFICE_PRINCIPAL = Principal(sub="kaiping-office", roles=frozenset({"registrar"}), area_code="440783000000")


async def _world(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """The households the fixtures name (projected from registry events) and the known cadre."""
    ids = {
        fx.H1: await household(app, V1, household_number=fx.H1),
        fx.H2: await household(app, V1, household_number=fx.H2),
        fx.H3: await household(app, V2, household_number=fx.H3),
        fx.H4: await household(app, V2, household_number=fx.H4),
        fx.H_OTHER_COUNTY: await household(app, "350502101001", household_number=fx.H_OTHER_COUNTY),
    }
    ids["known"] = await helper(client, name=fx.KNOWN_NAME, user_sub=fx.KNOWN_SUB)
    return ids


async def settled(c: httpx.AsyncClient, import_id: str) -> dict[str, Any]:
    """The import once it is no longer validating or committing."""

    async def probe() -> dict[str, Any] | None:
        job = (await c.get(f"{BASE}/{import_id}", headers=OFFICE)).json()
        return None if job["status"] in ("validating", "committing") else job

    return await wait_for(probe, timeout_s=30, interval_s=0.05, what=f"import {import_id}")


async def validated(c: httpx.AsyncClient, data: bytes, **params: str) -> dict[str, Any]:
    r = await c.post(BASE, params=params, content=data, headers=OFFICE)
    assert r.status_code == 202, r.text
    job = await settled(c, r.json()["id"])
    assert job["status"] == "validated", job
    assert job["status_label"] == "校验完成"  # the job's status as the clerk reads it
    return job


async def refused(c: httpx.AsyncClient, import_id: str) -> dict[int, list[str]]:
    r = await c.get(f"{BASE}/{import_id}/rows", params={"status": "refused"}, headers=OFFICE)
    assert r.status_code == 200, r.text
    return {i["row"]: i["reasons"] for i in r.json()["items"]}


async def count(app: FastAPI, stmt: Any) -> int:
    async with app.state.db.transaction() as s:
        return int((await s.execute(stmt)).scalar_one())


async def opened_events(app: FastAPI) -> list[dict[str, Any]]:
    async with app.state.db.transaction() as s:
        found = (await s.execute(select(outbox.c.envelope).where(outbox.c.type == OPENED))).scalars()
        return [e["data"] for e in found]


async def audits(app: FastAPI, action: str) -> list[dict[str, Any]]:
    async with app.state.db.transaction() as s:
        return list(
            (await s.execute(select(audit_log.c.after).where(audit_log.c.action == action))).scalars()
        )


# households of the uploader's county still waiting for a cadre
OPEN_NEEDS = (
    select(func.count())
    .select_from(PairingNeed)
    .where(PairingNeed.status == "open", PairingNeed.area_code.startswith("440783"))
)
MIXED_REASONS = {
    4: [f"户{fx.H1} 已有在帮的“干部结对帮扶户”结对"],
    5: ["与本文件第3行重复（同一帮扶责任人、同一户、同一帮扶类型）"],
    7: [f"工号{fx.KNOWN_SUB}在本文件第6行是“{fx.KNOWN_NAME}”，与本行姓名不一致"],
    8: [f"户编号{fx.H_UNKNOWN}在结对帮扶系统中没有，须先在建档立卡系统中登记该户"],
    9: [f"户编号{fx.H_OTHER_COUNTY}的户（350502101001）不在您的辖区内"],
    10: ["帮扶类型“百医牵百村”不在可选值中（干部结对帮扶户、专业人员结对帮扶户）"],
    11: [f"开始日期2027-01-01晚于今天（{TODAY.isoformat()}），结对不能从将来的日期开始"],
    12: ["“干部结对帮扶户”需要的帮扶力量类别不是“医生”"],
}


async def test_template_has_the_chinese_header_an_example_and_drop_downs(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{BASE}/template.xlsx", headers=OFFICE)
    assert r.status_code == 200, r.text
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    sheet = book["结对帮扶名单"]
    header, example = ([c.value for c in row] for row in sheet.iter_rows(max_row=2))
    assert header == fx.HEADER
    assert example[:2] == ["王示例", "kp-cadre-0001"]
    assert example[6] == "干部结对帮扶户"
    # the example's village is one of the demo data (步栏村), and so is its household number's prefix
    assert example[5] == example[7][:12] == "440783105201"
    assert example[5] in CHISHUI_KEY_VILLAGES
    ranges = sorted(str(dv.sqref) for dv in sheet.data_validations.dataValidation)
    assert ranges == ["D2:D100000", "E2:E100000", "G2:G100000"]  # 单位层级, 帮扶力量类别, 帮扶类型
    choices = [c.value for c in book["可选值"]["C"] if c.value]
    assert choices == ["帮扶类型", "干部结对帮扶户", "专业人员结对帮扶户"]


async def test_xlsx_roll_gets_a_chinese_reason_per_refused_row_and_valid_rows_only_commits_the_rest(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await _world(app, client)
    job = await validated(client, fx.read("pairings-mixed.xlsx"), filename="结对名单.xlsx")
    assert (job["file_format"], job["rows_total"], job["rows_accepted"], job["rows_refused"]) == (
        "xlsx",
        12,
        4,
        8,
    )
    assert job["eta_s"] is None
    assert job["filename"] == "结对名单.xlsx"
    assert await refused(client, job["id"]) == MIXED_REASONS
    # the rows by the status's word, as by its code; another word is a 422 naming the two
    rows_url = f"{BASE}/{job['id']}/rows"
    for code, word, n in (("accepted", "校验通过", 4), ("refused", "未通过", 8)):
        by_code = (await client.get(rows_url, params={"status": code}, headers=OFFICE)).json()["items"]
        by_word = (await client.get(rows_url, params={"status": word}, headers=OFFICE)).json()["items"]
        assert len(by_code) == n, (code, by_code)
        assert by_word == by_code, (word, by_word)
        assert {x["status_label"] for x in by_code} == {word}  # each row says its status in Chinese
    r = await client.get(rows_url, params={"status": "已导入"}, headers=OFFICE | {"Accept-Language": "zh"})
    assert r.status_code == 422, r.text
    assert "查询参数状态应为以下之一：校验通过、未通过" in r.json()["detail"], r.text

    r = await client.get(f"{BASE}/{job['id']}/report.xlsx", headers=OFFICE)
    lines = [
        list(v)
        for v in load_workbook(io.BytesIO(r.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    assert lines[0] == [*fx.HEADER, "错误原因"]
    assert lines[1][9:] in ([], [None])  # accepted: no reason (trailing blanks may be left out)
    assert lines[3][9] == MIXED_REASONS[4][0]
    assert len(lines) == 13

    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=OFFICE)
    assert (r.status_code, r.json()["detail"]) == (409, "有8行未通过校验，按“全部或不导入”方式未导入任何结对")
    assert await count(app, select(func.count()).select_from(Pairing)) == 0

    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "valid_rows_only"}, headers=OFFICE)
    assert r.status_code == 202, r.text
    done = await settled(client, job["id"])
    assert (done["status"], done["rows_committed"], done["helpers_created"]) == ("committed", 4, 2)

    # what GET /pairings answers now, as if each had been opened one by one
    r = await client.get("/pairing/v1/pairings", params={"active": "true"}, headers=OFFICE)
    got = sorted((p["kind"], p["target_id"], p["started_on"]) for p in r.json()["items"])
    assert got == sorted(
        [
            ("cadre_household", ids[fx.H1], "2026-03-01"),
            ("cadre_household", ids[fx.H2], "2026-03-01"),
            ("cadre_household", ids[fx.H3], TODAY.isoformat()),
            ("professional_household", ids[fx.H4], TODAY.isoformat()),
        ]
    )
    r = await client.get("/pairing/v1/helpers", headers=OFFICE)
    helpers = {h["name"]: h for h in r.json()["items"]}
    assert sorted(helpers) == sorted([fx.KNOWN_NAME, "王建国", "郑美玲"])
    assert (helpers["王建国"]["user_sub"], helpers["王建国"]["unit"], helpers["王建国"]["level"]) == (
        "kp-0101",
        "开平市农业农村局",
        "county",
    )
    assert (helpers["郑美玲"]["kind"], helpers["郑美玲"]["area_code"]) == ("doctor", V2)
    events = await opened_events(app)
    assert sorted((e["target_id"], e["helper_sub"]) for e in events) == sorted(
        [(ids[fx.H1], "kp-0101"), (ids[fx.H2], "kp-0101"), (ids[fx.H3], fx.KNOWN_SUB), (ids[fx.H4], None)]
    )
    (record,) = await audits(app, "pairing.imported")
    assert (record["pairings"], record["helpers_created"], record["rows_refused"], record["mode"]) == (
        4,
        2,
        8,
        "valid_rows_only",
    )
    assert await audits(app, "pairing.opened") == []  # the import's one record, not one per row
    assert await count(app, OPEN_NEEDS) == 1  # H4 has a doctor, still no cadre


async def test_gbk_csv_commits_all_or_nothing_and_the_same_file_twice_names_the_earlier_import(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await _world(app, client)
    data = fx.read("pairings-gbk.csv")
    job = await validated(client, data)
    assert (job["file_format"], job["encoding"], job["rows_accepted"], job["rows_refused"]) == (
        "csv",
        "gb18030",
        4,
        0,
    )

    r = await client.post(BASE, content=data, headers=OFFICE)
    assert (r.status_code, r.json()["import_id"]) == (409, job["id"])
    assert r.json()["detail"] == f"这个文件已于导入{job['id']}上传过（状态：校验完成）"

    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=OFFICE)
    assert r.status_code == 202, r.text
    done = await settled(client, job["id"])
    assert (done["status"], done["rows_committed"], done["helpers_created"]) == ("committed", 4, 2)
    events = await opened_events(app)
    assert sorted((e["target_id"], e["started_on"]) for e in events) == sorted(
        [
            (ids[fx.H1], "2026-10-08"),
            (ids[fx.H2], "2026-10-08"),
            (ids[fx.H3], "2026-10-09"),
            (ids[fx.H4], "2026-10-10"),
        ]
    )
    assert await count(app, OPEN_NEEDS) == 0
    r = await client.post(BASE, content=data, headers=OFFICE)
    assert (r.status_code, r.json()["detail"]) == (409, f"这个文件已于导入{job['id']}上传过（状态：已提交）")
    r = await client.post(f"{BASE}/{job['id']}/cancel", headers=OFFICE)
    assert (r.status_code, r.json()["detail"]) == (409, "这次导入的状态是“已提交”，不能取消")
    r = await client.post(BASE, content=data, headers=OFFICE | {"Accept-Language": "en"})
    assert (r.status_code, r.json()["title"]) == (409, "This pairing roll was uploaded before")
    assert r.json()["detail"] == f"this file was uploaded before as import {job['id']} (committed)"


async def test_a_blank_start_date_is_the_day_of_the_commit_not_of_the_check(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Checked at 23:50 and committed at 00:10 (China time) the next day: a row without 开始日期
    pairs from the day of the commit, the day the clerk confirmed it, not the day before."""
    ids = await _world(app, client)
    data = f"干部姓名,工号,户编号,开始日期\r\n{fx.KNOWN_NAME},{fx.KNOWN_SUB},{fx.H1},\r\n".encode()
    job = await validated(client, data)
    assert (job["rows_accepted"], job["rows_refused"]) == (1, 0)
    clock.freeze(TODAY + timedelta(days=1))
    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=OFFICE)
    assert r.status_code == 202, r.text
    assert (await settled(client, job["id"]))["status"] == "committed"
    shown = (await client.get(f"/pairing/v1/pairings?helper_id={ids['known']}", headers=OFFICE)).json()
    assert [p["started_on"] for p in shown["items"]] == [(TODAY + timedelta(days=1)).isoformat()]


async def test_cancelled_import_leaves_nothing_and_the_file_may_come_again(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _world(app, client)
    data = fx.read("pairings-gbk.csv")
    job = await validated(client, data)
    r = await client.post(f"{BASE}/{job['id']}/cancel", headers=OFFICE)
    assert (r.status_code, r.json()["status"]) == (200, "cancelled")
    staged = select(func.count()).select_from(PairingImportRow)
    assert await count(app, staged) == 0
    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "valid_rows_only"}, headers=OFFICE)
    assert (r.status_code, r.json()["detail"]) == (409, "这次导入的状态是“已取消”，校验完成后才能提交")
    again = await validated(client, data)
    assert again["id"] != job["id"]


async def test_cancel_while_committing_rolls_the_commit_back(app: FastAPI, client: httpx.AsyncClient) -> None:
    await _world(app, client)
    job = await validated(client, fx.read("pairings-gbk.csv"))
    db = app.state.db
    async with db.transaction() as s:
        await service.request_commit(s, job["id"], OFFICE_PRINCIPAL, "all_or_nothing")
    # the cancel holds the import's row while the commit writes; the commit's progress check waits
    # for it, then finds the import cancelled and rolls back everything it wrote
    async with db.transaction() as s:
        await service.cancel(s, job["id"], OFFICE_PRINCIPAL)
        committing = asyncio.create_task(
            service.commit(db, job["id"], OFFICE_PRINCIPAL, "all_or_nothing", TODAY)
        )
        await asyncio.sleep(0.5)
        assert not committing.done()
    await committing
    done = await settled(client, job["id"])
    assert (done["status"], done["rows_committed"]) == ("cancelled", 0)
    assert await count(app, select(func.count()).select_from(Pairing)) == 0
    assert await count(app, select(func.count()).select_from(Helper)) == 1  # the known cadre only
    assert await opened_events(app) == []
    assert await audits(app, "pairing.imported") == []
    assert await count(app, select(func.count()).select_from(PairingImportRow)) == 0


async def test_commit_checks_again_a_pairing_opened_since_validation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ids = await _world(app, client)
    job = await validated(client, fx.read("pairings-gbk.csv"))
    # one by one, after the file was checked: H4 gets a cadre the file's row 5 also names
    other = await helper(client, name="林振华")
    assert (await pair(client, "cadre_household", other, ids[fx.H4])).status_code == 201

    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "all_or_nothing"}, headers=OFFICE)
    assert r.status_code == 202
    done = await settled(client, job["id"])
    assert done["status"] == "failed"
    assert done["error"] == (
        f"校验之后情况有变，1行不再通过（第5行：户{fx.H4} 已有在帮的“干部结对帮扶户”结对），未导入任何结对"
    )
    assert await count(app, select(func.count()).select_from(Pairing)) == 1  # the one-by-one pairing

    # the file again, committing the rows that still pass
    job = await validated(client, fx.read("pairings-gbk.csv"))
    assert await refused(client, job["id"]) == {5: [f"户{fx.H4} 已有在帮的“干部结对帮扶户”结对"]}
    r = await client.post(f"{BASE}/{job['id']}/commit", json={"mode": "valid_rows_only"}, headers=OFFICE)
    done = await settled(client, job["id"])
    assert (done["status"], done["rows_committed"]) == ("committed", 3)


async def test_reads_are_scoped_to_the_uploaders_area_and_a_cadre_cannot_upload(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _world(app, client)
    job = await validated(client, fx.read("pairings-gbk.csv"))
    elsewhere = auth(["registrar"], "350502000000", sub="licheng-office")
    r = await client.get(f"{BASE}/{job['id']}", headers=elsewhere)
    assert (r.status_code, r.json()["detail"]) == (404, f"您的辖区内没有结对帮扶名单导入{job['id']}")
    r = await client.post(BASE, content=b"x", headers=auth(["cadre"], "440783000000", sub="c1"))
    assert r.status_code == 403


async def test_a_header_without_the_required_columns_is_refused_at_upload(client: httpx.AsyncClient) -> None:
    r = await client.post(BASE, content="名字,户号码\r\n王一,1\r\n".encode("gbk"), headers=OFFICE)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "表头缺少：干部姓名、户编号（第一行应为表头，可下载模板对照）"
    assert r.json()["type"].endswith("unreadable-pairing-roll")


async def test_an_import_whose_process_died_is_failed_and_the_file_may_come_again(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """kill -9 while a roll is checked or committed left it 校验中 / 提交中 for ever and its file
    refused as uploaded before; a step still running (holding its lock) is left alone. The clock is
    pinned here (as JINGZHUN_CLOCK_FROZEN_AT pins a demo's): the minute of grace is real time."""
    from services.pairing.app import JOBS
    from services.pairing.imports.service import INTERRUPTED_JOB
    from shared.import_steps import step_running

    assert INTERRUPTED_JOB in JOBS
    await _world(app, client)
    data = fx.read("pairings-gbk.csv")
    job = await validated(client, data)
    db = app.state.db

    async def left_committing(minutes_ago: int) -> None:  # started_at stays as the pinned clock wrote it
        async with db.transaction() as s:
            await s.execute(
                update(PairingImport)
                .where(PairingImport.id == uuid.UUID(job["id"]))
                .values(status="committing", step_started_at=func.now() - timedelta(minutes=minutes_ago))
            )

    await left_committing(0)  # the commit asked for just now: its step is about to take the lock
    assert await INTERRUPTED_JOB.run(db, clock.now()) == 0
    await left_committing(10)  # the commit's process died ten minutes ago
    async with step_running(db, "pairing", uuid.UUID(job["id"])):
        assert await INTERRUPTED_JOB.run(db, clock.now()) == 0
    assert await INTERRUPTED_JOB.run(db, clock.now()) == 1
    failed = (await client.get(f"{BASE}/{job['id']}", headers=OFFICE)).json()
    assert (failed["status"], failed["status_label"]) == ("failed", "失败")
    assert failed["error"] == "服务在提交时中断（进程重启），本次导入未完成、未写入任何数据：请重新上传文件"
    assert await count(app, select(func.count()).select_from(PairingImportRow)) == 0
    assert await count(app, select(func.count()).select_from(Pairing)) == 0
    again = await validated(client, data)
    assert again["id"] != job["id"]
