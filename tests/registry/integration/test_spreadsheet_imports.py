"""Staged spreadsheet imports of the 建档立卡 roll on a real PostgreSQL: real XLSX, GBK and UTF-8-BOM
CSV files written by the test from synthetic people, a report per row in Chinese, commit or cancel."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, update

from services.registry.imports.rules import HEADERS
from services.registry.models import Household, ImportRow, Member, RollupCounter, SpreadsheetImport
from shared.clock import clock
from shared.resident_id import validate
from shared.tables import audit_log, outbox
from tests.registry.integration.helpers import (
    OTHER_VILLAGE,
    REGISTRAR,
    VILLAGE,
    candidate,
    load_areas,
    member,
    person_id,
    registry_app,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio

UPLOADER = auth("approver", VILLAGE)
BASE = "/registry/v1/imports"


def _bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:17] + last


def mixed_rows(taken: str) -> tuple[list[list[str]], dict[int, list[str]]]:
    """The roll's rows (row 2 onwards) and the reasons each refused row must get, by row number."""
    today = clock.today().isoformat()
    year = str(clock.today().year)
    spouse = person_id(date(1972, 8, 1), sex="female")
    bad = _bad_check_digit(person_id())

    def head(
        key: str, name: str, rid: str, area: str = VILLAGE, cause: str = "因病", batch: str = ""
    ) -> list[str]:
        return [key, area, name, rid, "户主", "普通劳动力", cause, batch, year, today]

    rows = [
        head("H001", "王一", person_id()),  # row 2
        ["H001", "", "李一", spouse, "配偶", "弱劳动力或半劳动力", "", "", "", ""],  # row 3
        head("H002", "张二", person_id(), cause="因学、缺技术", batch="扶持生产和就业发展一批"),  # row 4
        head("H003", "赵三", bad),  # row 5: bad check digit
        head("H004", "钱四", person_id(), cause="因懒"),  # row 6: unknown cause
        head("H005", "孙五", taken),  # row 7: already registered
        head("H006", "周六", spouse),  # row 8: the spouse of row 3 again
        head("H007", "吴七", person_id(), area=OTHER_VILLAGE),  # row 9: outside the uploader's area
        head("H008", "郑八", person_id()),  # row 10: two heads
        head("H008", "郑九", person_id()),  # row 11
    ]
    causes = (
        "因病、因残、因学、因灾、缺土地、缺水、缺技术、缺劳力、缺资金、交通条件落后、自身发展动力不足、其他"
    )
    expected = {
        5: [f"尾号为{bad[-4:]}的身份证号校验位不对，请核对"],
        6: [f"致贫原因“因懒”不在可选值中（{causes}）"],
        7: [],  # filled in by the test: names the household the person is in
        8: ["此人（身份证号）在本文件第3行已出现，一人只能在一户"],
        9: [f"行政区划代码{OTHER_VILLAGE}不在您的辖区内"],
        10: ["本户有2个户主，每户应有且只有一个户主"],
        11: ["本户有2个户主，每户应有且只有一个户主"],
    }
    return rows, expected


def write_xlsx(path: Path, rows: list[list[str]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    book.save(path)
    return path.read_bytes()


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> bytes:
    text = "\r\n".join(",".join(r) for r in [list(HEADERS), *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path.read_bytes()


async def settled(c: httpx.AsyncClient, import_id: str) -> dict[str, Any]:
    for _ in range(600):
        r = await c.get(f"{BASE}/{import_id}", headers=UPLOADER)
        assert r.status_code == 200, r.text
        if r.json()["status"] not in ("validating", "committing"):
            return r.json()
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not settle")


async def upload(
    c: httpx.AsyncClient, data: bytes, *, multipart: bool = False, **params: str
) -> httpx.Response:
    if multipart:
        files = {"file": ("花名册.xlsx", data, "application/octet-stream")}
        return await c.post(BASE, params={"kind": "registration", **params}, files=files, headers=UPLOADER)
    return await c.post(BASE, params={"kind": "registration", **params}, content=data, headers=UPLOADER)


async def reasons_by_row(c: httpx.AsyncClient, import_id: str) -> dict[int, list[str]]:
    r = await c.get(f"{BASE}/{import_id}/rows", params={"status": "refused"}, headers=UPLOADER)
    assert r.status_code == 200, r.text
    return {item["row"]: item["reasons"] for item in r.json()["items"]}


async def _setup(c: httpx.AsyncClient) -> tuple[list[list[str]], dict[int, list[str]]]:
    await load_areas(c)
    taken = person_id()
    h = await candidate(c, members=[member("head", resident_id=taken)])
    rows, expected = mixed_rows(taken)
    expected[7] = [
        f"此人已在户{h['household_number'] or ''}（{VILLAGE}）中登记，"
        "一人只能在一户；如确需迁入，请先办理迁出"
    ]
    return rows, expected


async def counts(app: Any) -> tuple[int, int, int]:
    async with app.state.db.transaction() as s:
        households = (await s.execute(select(func.count()).select_from(Household))).scalar_one()
        members = (await s.execute(select(func.count()).select_from(Member))).scalar_one()
        staged = (await s.execute(select(func.count()).select_from(ImportRow))).scalar_one()
    return households, members, staged


async def test_mixed_roll_gives_each_refused_row_its_reason_and_commits_only_the_valid_households(
    make_db, tmp_path
):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        rows, expected = await _setup(c)
        data = write_xlsx(tmp_path / "roll.xlsx", rows)
        r = await upload(c, data, multipart=True)
        assert r.status_code == 202, r.text
        import_id = r.json()["id"]
        job = await settled(c, import_id)
        assert (job["status"], job["status_label"]) == ("validated", "已校验待入库"), job
        assert (job["rows_total"], job["rows_accepted"], job["rows_refused"]) == (10, 3, 7)
        assert job["households_accepted"] == 2
        assert await reasons_by_row(c, import_id) == expected
        # the rows by the status's word, as by its code; another word is a 422 naming the three
        rows_url = f"{BASE}/{import_id}/rows"
        for code, word, n in (
            ("accepted", "校验通过", 3),
            ("refused", "未通过", 7),
            ("pending", "待校验", 0),
        ):
            by_code = (await c.get(rows_url, params={"status": code}, headers=UPLOADER)).json()["items"]
            by_word = (await c.get(rows_url, params={"status": word}, headers=UPLOADER)).json()["items"]
            assert len(by_code) == n, (code, by_code)
            assert by_word == by_code, (word, by_word)
            assert {x["status_label"] for x in by_code} <= {word}  # each row says its status in Chinese
        r = await c.get(rows_url, params={"status": "已通过"}, headers=UPLOADER | {"Accept-Language": "zh"})
        assert r.status_code == 422, r.text
        assert "查询参数状态应为以下之一：校验通过、未通过、待校验" in r.json()["detail"], r.text
        first = (await c.get(f"{BASE}/{import_id}/rows", headers=UPLOADER)).json()["items"][0]
        assert first["cells"][3] == rows[0][3][:6] + "********" + rows[0][3][-4:]  # masked, as everywhere
        async with app.state.db.transaction() as s:
            staged = str((await s.execute(select(ImportRow.cells))).scalars().all())
        assert not any(r[3] in staged for r in rows)  # no full resident ID staged in plaintext

        # the same spreadsheet back, with 错误原因 added
        r = await c.get(f"{BASE}/{import_id}/report.xlsx", headers=UPLOADER)
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
        lines = [list(v) for v in sheet.iter_rows(values_only=True)]
        assert lines[0] == [*HEADERS, "错误原因"]
        assert lines[1][:3] == ["H001", VILLAGE, "王一"]
        assert (lines[1] + [None] * len(HEADERS))[len(HEADERS)] is None  # accepted: no reason (empty cells)
        assert lines[4][len(HEADERS)] == expected[5][0]

        # the same bytes again are recognised
        again = await upload(c, data)
        assert again.status_code == 409
        assert again.json()["import_id"] == import_id
        assert again.json()["title"] == "这个文件已经上传过"
        # the state in the clerk's words, not the code
        assert again.json()["detail"] == f"这个文件已于导入{import_id}上传过（状态：已校验待入库）"

        before = await counts(app)
        r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 409
        # the clerk is told where to look: the first refused row and its reason, which names the column
        assert r.json()["detail"] == (
            f"有7行未通过校验（第一处：第5行，{expected[5][0]}），按“全部或不导入”方式未导入任何一户"
        )
        assert (r.json()["first_refused_row"], r.json()["first_refused_reasons"]) == (5, expected[5])
        assert await counts(app) == before

        r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "valid_rows_only"}, headers=UPLOADER)
        assert r.status_code == 202, r.text
        job = await settled(c, import_id)
        assert (job["status"], job["status_label"]) == ("committed", "已入库"), job
        assert (job["households_committed"], job["rows_committed"]) == (2, 3)
        households, members, _ = await counts(app)
        assert (households, members) == (before[0] + 2, before[1] + 3)

        async with app.state.db.transaction() as s:
            imported = (
                (await s.execute(select(Household).where(Household.household_number.in_(["H001", "H002"]))))
                .scalars()
                .all()
            )
            assert sorted((h.household_number, h.status, h.member_count, h.head_name) for h in imported) == [
                ("H001", "registered", 2, "王一"),
                ("H002", "registered", 1, "张二"),
            ]
            h002 = next(h for h in imported if h.household_number == "H002")
            assert (h002.poverty_causes, h002.batches) == (
                ["schooling", "lack_of_skills"],
                ["production_employment"],
            )
            counters = {
                (rc.dimension, rc.key): (rc.households, rc.persons)
                for rc in (
                    await s.execute(select(RollupCounter).where(RollupCounter.area_prefix == VILLAGE))
                ).scalars()
            }
            assert counters[("status", "registered")] == (2, 3)
            assert counters[("cause", "illness")] == (1, 2)
            assert counters[("cause", "schooling")] == (1, 1)
            assert counters[("entries", str(clock.today().year))] == (2, 3)
            events = (
                (
                    await s.execute(
                        select(outbox.c.envelope).where(outbox.c.type == "registry.household.registered.v1")
                    )
                )
                .scalars()
                .all()
            )
            assert sorted(e["data"]["household_number"] for e in events) == ["H001", "H002"]
            h001 = next(e for e in events if e["data"]["household_number"] == "H001")
            assert h001["data"]["head_name_masked"] == "王*"
            assert (h001["data"]["origin"], len(h001["data"]["member_ids"])) == ("import", 2)
            assert h001["source"] == "jingzhun/registry"
            audits = (
                (await s.execute(select(audit_log.c.after).where(audit_log.c.action == "household.imported")))
                .scalars()
                .all()
            )
            assert len(audits) == 1
            assert (audits[0]["households"], audits[0]["persons"], audits[0]["rows_refused"]) == (2, 3, 7)

        # committed: no cancel any more
        r = await c.post(f"{BASE}/{import_id}/cancel", headers=UPLOADER)
        assert r.status_code == 409


async def test_gbk_and_utf8_bom_csv_give_the_same_report_as_the_xlsx(make_db, tmp_path):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        rows, expected = await _setup(c)
        results = {}
        for name, data in [
            ("xlsx", write_xlsx(tmp_path / "roll.xlsx", rows)),
            ("gbk", write_csv(tmp_path / "roll-gbk.csv", rows, "gbk")),
            ("bom", write_csv(tmp_path / "roll-bom.csv", rows, "utf-8-sig")),
        ]:
            r = await upload(c, data, filename=f"roll-{name}")
            assert r.status_code == 202, r.text
            job = await settled(c, r.json()["id"])
            assert job["status"] == "validated"
            results[name] = (job["encoding"], await reasons_by_row(c, job["id"]))
        assert results["xlsx"] == (None, expected)
        assert results["gbk"] == ("gb18030", expected)
        assert results["bom"] == ("utf-8-sig", expected)


async def test_all_or_nothing_of_a_clean_roll_commits_and_cancel_leaves_nothing(make_db, tmp_path):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows, _ = mixed_rows(person_id())
        clean = rows[:3]
        data = write_xlsx(tmp_path / "clean.xlsx", clean)
        r = await upload(c, data)
        import_id = r.json()["id"]
        assert (await settled(c, import_id))["rows_refused"] == 0
        before = await counts(app)
        r = await c.post(f"{BASE}/{import_id}/cancel", headers=UPLOADER)
        assert (r.status_code, r.json()["status"]) == (200, "cancelled")
        assert await counts(app) == (before[0], before[1], 0)
        r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 409
        assert r.json()["detail"] == "这次导入的状态是“已取消”，校验完成后才能提交"  # the state in words

        # a cancelled file may be uploaded again, and all_or_nothing takes a clean roll whole
        r = await upload(c, data)
        assert r.status_code == 202
        again = r.json()["id"]
        assert again != import_id
        await settled(c, again)
        r = await c.post(f"{BASE}/{again}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 202
        assert (await settled(c, again))["households_committed"] == 2
        assert (await counts(app))[:2] == (before[0] + 2, before[1] + 3)


async def test_template_has_the_headers_a_valid_example_and_drop_downs(make_db):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        r = await c.get(f"{BASE}/templates/registration.xlsx", headers=UPLOADER)
        assert r.status_code == 200
        book = load_workbook(io.BytesIO(r.content))
        ws = book.worksheets[0]
        assert [cell.value for cell in ws[1]] == list(HEADERS)
        example = [cell.value for cell in ws[2]]
        assert validate(example[3]).number == example[3]
        lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        assert set(lists) == {"E", "F", "G", "H", "K", "L", "M"}  # …, 低保户, 五保户, 劳动意愿
        allowed = book["可选值"]
        assert [c.value for c in allowed["C"]][:3] == ["致贫原因", "因病", "因残"]
        assert [c.value for c in allowed["A"]][1:3] == ["户主", "配偶"]


async def test_committed_roll_reaches_jetstream_as_registered_events(make_db, nats_url, tmp_path):
    import json

    import nats

    from shared.events import CloudEvent
    from shared.events.streams import ensure_streams
    from tests.support import wait_for

    app = registry_app(make_db("registry"), nats_url)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_streams(js)
    try:
        async with service_client(app) as c:
            await load_areas(c)
            rows, _ = mixed_rows(person_id())
            r = await upload(c, write_xlsx(tmp_path / "clean.xlsx", rows[:4]), source_roll="x", reason="y")
            import_id = r.json()["id"]
            assert (await settled(c, import_id))["rows_refused"] == 1  # row 5: the bad check digit
            r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "valid_rows_only"}, headers=UPLOADER)
            assert (await settled(c, import_id))["status"] == "committed"

            async def relayed() -> bool:
                async with app.state.db.transaction() as s:
                    unsent = select(func.count()).where(outbox.c.published_at.is_(None))
                    return (await s.execute(unsent)).scalar_one() == 0

            await wait_for(relayed, what="the outbox relayed to JetStream")
            sub = await js.pull_subscribe("registry.household.registered.v1", durable="t-import")
            msgs = await sub.fetch(2, timeout=5)
            events = [CloudEvent.model_validate(json.loads(m.data)) for m in msgs]
            assert sorted(e.data["household_number"] for e in events) == ["H001", "H002"]
            assert {e.data["origin"] for e in events} == {"import"}
    finally:
        await nc.close()


async def test_two_simultaneous_uploads_of_the_same_file_give_one_import_and_a_409_naming_it(
    make_db, tmp_path
):
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows, _ = mixed_rows(person_id())
        data = write_xlsx(tmp_path / "twice.xlsx", rows[:3])
        for _ in range(3):  # the race is won by either request: try it a few times over
            first, second = await asyncio.gather(upload(c, data), upload(c, data))
            answers = sorted([first, second], key=lambda r: r.status_code)
            assert [r.status_code for r in answers] == [202, 409], [r.text for r in answers]
            accepted, refused = answers
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["import_id"] == accepted.json()["id"]
            assert refused.json()["title"] == "这个文件已经上传过"
            await settled(c, accepted.json()["id"])
            r = await c.post(f"{BASE}/{accepted.json()['id']}/cancel", headers=UPLOADER)
            assert r.status_code == 200


async def test_staged_ids_of_an_uncommitted_import_are_rotated_with_the_key(make_db, tmp_path):
    from services.registry.app import PII_COLUMNS
    from shared.pii import PiiCipher
    from shared.pii_rotation import rotate_column
    from tests.registry.integration.test_key_rotation import NEW, OLD, app_with

    url = make_db("registry")
    rows, _ = mixed_rows(person_id())
    clean = rows[:3]
    async with service_client(app_with(url, OLD)) as c:
        await load_areas(c)
        r = await upload(c, write_xlsx(tmp_path / "staged.xlsx", clean))
        import_id = r.json()["id"]
        assert (await settled(c, import_id))["status"] == "validated"

    during = app_with(url, NEW, previous=[OLD], hash_key=OLD)
    async with service_client(during):
        cipher = during.state.settings.pii_cipher()
        (staged,) = [col for col in PII_COLUMNS if col.table == "import_row"]
        report = await rotate_column(during.state.db, staged, cipher, batch=2)
        assert (report.scanned, report.rotated) == (3, 3)
        async with during.state.db.transaction() as s:
            texts = (await s.scalars(select(ImportRow.resident_id_cipher))).all()
        assert len(texts) == 3
        assert all(PiiCipher(NEW).is_current(t) for t in texts)

    # the old key retired: the import committed afterwards still gives readable resident IDs
    after = app_with(url, NEW, hash_key=OLD)
    async with service_client(after) as c:
        r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 202, r.text
        assert (await settled(c, import_id))["status"] == "committed"
        async with after.state.db.transaction() as s:
            members = (await s.execute(select(Member.id, Member.household_id, Member.name))).all()
        read = []
        for m in members:
            r = await c.get(
                f"/registry/v1/households/{m.household_id}/members/{m.id}/resident-id", headers=REGISTRAR
            )
            assert r.status_code == 200, r.text
            read.append(r.json()["resident_id"])
        assert sorted(read) == sorted(row[3] for row in clean)


async def test_template_example_row_imports_against_the_demo_areas(make_db):
    """The template names a village of the demo data (步栏村), so a clerk who uploads the template as
    downloaded, against the demo's places, sees its example row accepted, not refused as an unknown
    place."""
    from services.registry.areas.reference import reference_areas

    app = registry_app(make_db("registry"))
    kaiping = auth("approver", "440783000000")
    async with service_client(app) as c:
        guangdong = [a.model_dump(mode="json") for a in reference_areas() if a.code.startswith("44")]
        r = await c.post(
            "/registry/v1/areas", json={"areas": guangdong}, headers=auth("registrar", "440000000000")
        )
        assert r.status_code == 200, r.text
        template = await c.get(f"{BASE}/templates/registration.xlsx", headers=kaiping)
        example = [cell.value for cell in load_workbook(io.BytesIO(template.content)).worksheets[0][2]]
        assert example[1] in {a.code for a in reference_areas() if a.name == "步栏村"}
        r = await c.post(BASE, params={"kind": "registration"}, content=template.content, headers=kaiping)
        assert r.status_code == 202, r.text
        for _ in range(600):
            job = (await c.get(f"{BASE}/{r.json()['id']}", headers=kaiping)).json()
            if job["status"] != "validating":
                break
            await asyncio.sleep(0.05)
        assert (job["rows_accepted"], job["rows_refused"]) == (1, 0), job


async def _left_running(db: Any, import_id: str, status: str, *, minutes_ago: int) -> None:
    """The import as a process that died left it: ``status``, its step asked for ``minutes_ago``
    by the database's clock (``started_at`` stays as the service's clock wrote it)."""
    async with db.transaction() as s:
        await s.execute(
            update(SpreadsheetImport)
            .where(SpreadsheetImport.id == import_id)
            .values(status=status, step_started_at=func.now() - timedelta(minutes=minutes_ago))
        )


async def test_an_import_whose_process_died_is_failed_and_the_file_may_come_again(make_db, tmp_path):
    """kill -9 of the service while an import validates or commits left it 校验中 / 提交中 for ever,
    its file refused as uploaded before. A step that still runs (holds its lock) is left alone. The
    minute of grace is real time: with the business clock pinned (JINGZHUN_CLOCK_FROZEN_AT, a demo
    or an end-to-end run) the dead step is still found, and a step asked for just now is not."""
    from services.registry.app import JOBS
    from services.registry.imports.service import INTERRUPTED_JOB
    from shared.import_steps import step_running

    assert INTERRUPTED_JOB in JOBS
    clock.freeze(date(2026, 12, 3))
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows, _ = mixed_rows(person_id())
        data = write_xlsx(tmp_path / "roll.xlsx", rows[:3])
        import_id = (await upload(c, data)).json()["id"]
        await settled(c, import_id)
        db = app.state.db
        for status in ("validating", "committing"):
            await _left_running(db, import_id, status, minutes_ago=0)  # its step about to take the lock
            assert await INTERRUPTED_JOB.run(db, clock.now()) == 0
            await _left_running(db, import_id, status, minutes_ago=10)  # the process died 10 min ago
            async with step_running(db, "registry", uuid.UUID(import_id)):  # still running elsewhere
                assert await INTERRUPTED_JOB.run(db, clock.now()) == 0
            assert (await c.get(f"{BASE}/{import_id}", headers=UPLOADER)).json()["status"] == status

            assert await INTERRUPTED_JOB.run(db, clock.now()) == 1
            job = (await c.get(f"{BASE}/{import_id}", headers=UPLOADER)).json()
            assert (job["status"], job["status_label"]) == ("failed", "失败")
            # in the clerk's words, as pairing's imports say it (was: "StepInterrupted: the service ...")
            assert "本次导入未完成、未写入任何数据：请重新上传文件" in job["error"]
            assert "StepInterrupted" not in job["error"]
        assert await INTERRUPTED_JOB.run(db, clock.now()) == 0
        r = await upload(c, data)
        assert r.status_code == 202, r.text


async def test_a_cancel_landing_while_the_job_fails_a_dead_step_stays_cancelled(make_db, tmp_path):
    """The job finds an import validating whose step died; before it marks it, the clerk cancels:
    the import stays 已取消 (the job marks only the status it saw), not 失败."""
    from services.registry.imports.repository import ImportRepository
    from services.registry.imports.service import _fail_interrupted
    from shared.import_steps import interrupted_imports_job

    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows, _ = mixed_rows(person_id())
        import_id = (await upload(c, write_xlsx(tmp_path / "roll.xlsx", rows[:3]))).json()["id"]
        await settled(c, import_id)
        await _left_running(app.state.db, import_id, "validating", minutes_ago=10)

        class CancelledMeanwhile(ImportRepository):
            async def steps_older_than(self, grace_s: float) -> list[tuple[uuid.UUID, str]]:
                found = await super().steps_older_than(grace_s)
                r = await c.post(f"{BASE}/{import_id}/cancel", headers=UPLOADER)  # the clerk, now
                assert r.status_code == 200, r.text
                return found

        job = interrupted_imports_job("registry", CancelledMeanwhile, _fail_interrupted)
        await job.run(app.state.db, clock.now())
        shown = (await c.get(f"{BASE}/{import_id}", headers=UPLOADER)).json()
        assert (shown["status"], shown["status_label"], shown["error"]) == ("cancelled", "已取消", None)


async def test_the_commit_request_stamps_its_steps_start_by_the_database_clock(make_db, tmp_path):
    """With the business clock pinned, the commit's start the clerk's elapsed time comes from stays the
    pinned instant, while the start the interrupted-imports job waits on is the database's clock at
    the commit request (not the upload's: a roll committed an hour after it was checked would else
    look like a dead step before its step took the lock)."""
    clock.freeze(date(2026, 12, 3))
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        rows, _ = mixed_rows(person_id())
        import_id = (await upload(c, write_xlsx(tmp_path / "roll.xlsx", rows[:3]))).json()["id"]
        await settled(c, import_id)
        r = await c.post(f"{BASE}/{import_id}/commit", json={"mode": "all_or_nothing"}, headers=UPLOADER)
        assert r.status_code == 202, r.text
        assert (await settled(c, import_id))["status"] == "committed"
        async with app.state.db.transaction() as s:
            job = await s.get(SpreadsheetImport, uuid.UUID(import_id))
    assert job is not None
    assert job.started_at == clock.now()
    assert job.step_started_at > job.created_at  # the upload's transaction wrote created_at
