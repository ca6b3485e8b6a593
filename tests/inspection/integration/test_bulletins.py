"""Monthly bulletin: the month's inspections, findings, rectifications and accountability."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from services.inspection.models import AccountabilityRecord, AreaRef, Finding, Inspection
from shared.clock import clock
from tests.inspection.integration.helpers import app_for, finding_row
from tests.support import auth, service_client
from tests.support.browser import chromium, headless_page

pytestmark = pytest.mark.asyncio
COUNTY = "620521000000"
VILLAGE = "620521101201"


async def _march(app) -> None:  # type: ignore[no-untyped-def]
    def inspection(kind: str, status: str, starts: date, ends: date) -> Inspection:
        return Inspection(
            area_code=COUNTY,
            kind=kind,
            title=f"{kind} {starts}",
            starts_on=starts,
            ends_on=ends,
            target_areas=[VILLAGE],
            target_prefixes=[VILLAGE],
            team=[{"name": "Z", "role": "leader"}],
            status=status,
            created_by="t",
        )

    def finding(raised: date, deadline: date, status: str, **kw) -> Finding:  # type: ignore[no-untyped-def]
        return finding_row(raised, deadline, status, responsible_unit="Township office", **kw)

    async with app.state.db.transaction() as s:
        s.add_all(
            [
                inspection("announced", "concluded", date(2026, 3, 3), date(2026, 3, 4)),
                inspection(
                    "unannounced", "concluded", date(2026, 2, 27), date(2026, 3, 1)
                ),  # runs into March
                inspection("unannounced", "planned", date(2026, 3, 20), date(2026, 3, 21)),  # still secret
                inspection("announced", "concluded", date(2026, 4, 2), date(2026, 4, 3)),  # April
            ]
        )
        late = finding(date(2026, 1, 10), date(2026, 2, 10), "open")
        s.add_all(
            [
                finding(date(2026, 3, 4), date(2026, 3, 19), "open", severity="high"),
                finding(date(2026, 3, 4), date(2026, 4, 3), "open"),
                finding(
                    date(2026, 2, 1),
                    date(2026, 3, 1),
                    "verified",
                    submitted_on=date(2026, 2, 28),
                    verified_on=date(2026, 3, 5),
                ),
                finding(
                    date(2026, 2, 1), date(2026, 3, 10), "submitted", submitted_on=date(2026, 3, 9)
                ),  # on time
                late,
            ]
        )
        await s.flush()
        s.add(
            AccountabilityRecord(
                id=uuid.uuid4(),
                area_code=VILLAGE,
                kind="bulletin",
                subject="Township office",
                reason="late",
                origin=f"finding:{late.id}",
                finding_id=late.id,
                issued_on=date(2026, 3, 1),
            )
        )


async def test_march_bulletin_json_and_document(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        await _march(app)
        r = await c.get("/inspection/v1/bulletins/2026/3", headers=auth("inspector", COUNTY))
        assert r.status_code == 200, r.text
        b = r.json()
        assert b["summary"] == {
            "inspections": 3,
            "unannounced": 2,
            "findings_raised": 2,
            "findings_by_severity": {"high": 1, "medium": 1},
            "rectifications_verified": 1,
            "overdue_open": 2,
            "accountability_by_kind": {"bulletin": 1},
            "unannounced_missing": False,
            "gaps": [],
            "area": "地区620521000000",  # the registry has not named it yet
        }
        # every code beside its Chinese, as the printed bulletin words it
        assert {(i["kind"], i["kind_label"]) for i in b["inspections"]} >= {("unannounced", "暗访")}
        assert {i["status_label"] for i in b["inspections"]} <= {"计划中", "已结束"}
        for f in b["findings_raised"] + b["overdue_open"]:
            assert f["category_label"] != f["category"]  # a word, not the code again
            assert f["severity_label"] in ("严重", "较重", "一般")
            assert f["status_label"] in ("待整改", "已报整改", "已验收销号")
        assert [a["kind_label"] for a in b["accountability"]] == ["通报"]
        # the village sees the concluded inspections but not the unannounced one still planned
        village_view = (await c.get("/inspection/v1/bulletins/2026/3", headers=auth("cadre", VILLAGE))).json()
        assert village_view["summary"]["inspections"] == 2
        r = await c.get("/inspection/v1/bulletins/2026/3/document", headers=auth("inspector", COUNTY))
        assert r.status_code == 200
        assert r.headers["content-disposition"] == 'attachment; filename="bulletin-620521-2026-03.xlsx"'
        wb = load_workbook(io.BytesIO(r.content))
        assert wb.sheetnames == ["概况", "督查", "发现问题", "整改验收", "逾期未整改", "问责"]
        assert wb["概况"]["A1"].value == "2026年3月扶贫督查通报"
        assert wb["概况"].freeze_panes == "A3"  # title line and header stay in view
        rows = {row[0]: row[1] for row in wb["概况"].iter_rows(min_row=3, values_only=True)}
        assert rows["督查次数"] == 3
        assert rows["发现问题"] == 2
        assert rows["月末逾期未整改"] == 2
        assert rows["问责（通报）"] == 1
        assert wb["问责"].max_row == 2
        found = list(wb["发现问题"].iter_rows(values_only=True))
        assert found[0] == ("地区代码", "问题类别", "严重程度", "问题", "责任单位", "整改期限", "整改状态")
        for row in found[1:]:  # no code words: categories, severities and statuses by their labels
            assert not re.search(r"[a-z_]{3,}", f"{row[1]}{row[2]}{row[6]}"), row
        r = await c.get(
            "/inspection/v1/bulletins/2026/3/document",
            params={"headers": "codes"},
            headers=auth("inspector", COUNTY),
        )
        wb = load_workbook(io.BytesIO(r.content))
        rows = {row[0]: row[1] for row in wb["summary"].iter_rows(min_row=3, values_only=True)}
        assert rows["inspections"] == 3
        assert rows["overdue at month end"] == 2
        assert (
            await c.get("/inspection/v1/bulletins/2026/13", headers=auth("inspector", COUNTY))
        ).status_code == 422
        other = (
            await c.get("/inspection/v1/bulletins/2026/3", headers=auth("inspector", "620522000000"))
        ).json()
        assert other["summary"]["inspections"] == 0
        assert other["findings_raised"] == []


async def test_a_month_without_an_unannounced_inspection_is_named_as_a_gap(make_db) -> None:
    """Seed 001 三(四) 一月一督查暗访: April had an announced inspection only."""
    app = app_for(make_db)
    async with service_client(app) as c:
        await _march(app)
        async with app.state.db.transaction() as s:
            s.add(AreaRef(code=COUNTY, name="岷县", level="county"))
        county = auth("inspector", COUNTY)
        april = (await c.get("/inspection/v1/bulletins/2026/4", headers=county)).json()["summary"]
        assert (april["inspections"], april["unannounced"]) == (1, 0)
        assert april["unannounced_missing"] is True
        assert april["gaps"] == ["2026年4月岷县（620521000000）未开展暗访督查（一月一督查暗访）"]
        # the village sees March's concluded unannounced inspection: no gap there
        march = (await c.get("/inspection/v1/bulletins/2026/3", headers=auth("cadre", VILLAGE))).json()
        assert (march["summary"]["unannounced"], march["summary"]["gaps"]) == (1, [])
        # an area the registry has not named yet is named by its code
        other = (
            await c.get("/inspection/v1/bulletins/2026/4", headers=auth("inspector", "620522000000"))
        ).json()
        assert other["summary"]["gaps"] == ["2026年4月地区620522000000未开展暗访督查（一月一督查暗访）"]
        r = await c.get("/inspection/v1/bulletins/2026/4/document", headers=county)
        rows = {
            row[0]: row[1] for row in load_workbook(io.BytesIO(r.content))["概况"].iter_rows(values_only=True)
        }
        assert rows["缺口：2026年4月岷县（620521000000）未开展暗访督查（一月一督查暗访）"] is None
        # the title line names the area in words, not by a code prefix ("地区 620521")
        assert rows["2026年4月扶贫督查通报"] == "地区：岷县（620521000000）"
        r = await c.get(
            "/inspection/v1/bulletins/2026/4/document", params={"headers": "codes"}, headers=county
        )
        rows = {
            row[0]: row[1]
            for row in load_workbook(io.BytesIO(r.content))["summary"].iter_rows(values_only=True)
        }
        assert "gap: no unannounced inspection" in rows
        printed = (await c.get("/inspection/v1/bulletins/2026/4/print", headers=county)).text
        assert "缺口：2026年4月岷县（620521000000）未开展暗访督查" in printed
        assert "地区：岷县（620521000000）" in printed


async def test_the_printed_bulletin_reads_in_chinese_in_a_real_browser(make_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chromium()  # skip before any work on a machine without a browser
    app = app_for(make_db)
    async with service_client(app) as c:
        await _march(app)
        r = await c.get("/inspection/v1/bulletins/2026/3/print", headers=auth("inspector", COUNTY))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    document = tmp_path / "bulletin.html"
    document.write_bytes(r.content)
    async with headless_page(document) as page:
        text = await page.evaluate("document.body.innerText")
        overview = await page.evaluate(
            "[...document.querySelectorAll('#chart-overview rect.bar')].map(r =>"
            " [r.dataset.value, Math.round(r.getBoundingClientRect().width)])"
        )
        coded = await page.evaluate(
            "[...document.querySelectorAll('#inspections tr')].slice(1)"
            ".map(tr => [tr.cells[0].innerText, tr.cells[5].innerText])"
        )
        findings = await page.evaluate(
            "[...document.querySelectorAll('section[id^=list] tr')]"
            ".filter(tr => tr.cells[0].tagName === 'TD')"
            ".map(tr => [tr.cells[1].innerText, tr.cells[2].innerText, tr.cells[6].innerText])"
        )
    assert "2026年3月扶贫督查通报" in text
    for words in ("督查次数", "其中暗访", "严重", "较重", "待整改", "暗访", "通报", "Township office"):
        assert words in text
    # the vocabularies' columns in their Chinese labels (titles and units are the clerks' own text)
    assert sorted(map(tuple, coded)) == sorted([("明查", "已结束"), ("暗访", "计划中"), ("暗访", "已结束")])
    for row in findings:
        assert not re.search(r"[a-z_]{3,}", "".join(row)), row
    # the month's figures as bars: 3 inspections the longest, 2 of them unannounced, 1 verified
    assert overview == [["3", 360], ["2", 240], ["2", 240], ["1", 120], ["2", 240]]


async def test_the_running_months_bulletin_lists_as_late_only_what_is_late_today(make_db) -> None:
    """Read on 6 December at 01:30 Beijing time (UTC still the 5th), December's bulletin listed under
    逾期未整改 every open finding due by 31 December, although their deadlines had not come (the
    findings themselves said overdue: false). Late is as of today while the month runs."""
    app = app_for(make_db)
    url, inspector = "/inspection/v1/bulletins/2026/12", auth("inspector", COUNTY)
    async with service_client(app) as c:
        async with app.state.db.transaction() as s:
            s.add_all(
                [
                    finding_row(
                        date(2026, 12, 6), date(2026, 12, 21), "open", severity="high", title="due 21st"
                    ),
                    finding_row(date(2026, 11, 20), date(2026, 12, 5), "open", title="due yesterday"),
                    finding_row(date(2026, 11, 21), date(2026, 12, 6), "open", title="due today"),
                ]
            )
        with clock.frozen(datetime(2026, 12, 5, 17, 30, tzinfo=UTC)):
            b = (await c.get(url, headers=inspector)).json()
            listed = (await c.get("/inspection/v1/findings", headers=inspector)).json()
        assert [f["title"] for f in b["overdue_open"]] == ["due yesterday"]
        assert b["summary"]["overdue_open"] == 1
        assert {f["title"] for f in listed["items"] if f["overdue"]} == {"due yesterday"}
        with clock.frozen(date(2027, 1, 2)):  # the month over: late as of its last day
            b = (await c.get(url, headers=inspector)).json()
        assert [f["title"] for f in b["overdue_open"]] == ["due yesterday", "due today", "due 21st"]


async def test_the_running_month_is_no_gap_without_an_unannounced_inspection_yet(make_db) -> None:
    """Read on 6 December at 03:00 Beijing time, December's bulletin said 未开展暗访督查 (and the
    workbook and the print showed it as 缺口) with 25 days of the month still to come. 一月一督查暗访
    is for the whole month: a gap only once it is over, as of its last day."""
    app = app_for(make_db)
    url, county = "/inspection/v1/bulletins/2026/12", auth("inspector", COUNTY)

    async def shown() -> tuple[dict[str, object], list[object], list[object], str]:
        summary = (await c.get(url, headers=county)).json()["summary"]
        zh = await c.get(f"{url}/document", headers=county)
        codes = await c.get(f"{url}/document", params={"headers": "codes"}, headers=county)
        printed = (await c.get(f"{url}/print", headers=county)).text
        return (
            summary,
            [r[0] for r in load_workbook(io.BytesIO(zh.content))["概况"].iter_rows(values_only=True)],
            [r[0] for r in load_workbook(io.BytesIO(codes.content))["summary"].iter_rows(values_only=True)],
            printed,
        )

    async with service_client(app) as c:
        with clock.frozen(datetime(2026, 12, 5, 19, 0, tzinfo=UTC)):
            summary, zh, codes, printed = await shown()
        assert (summary["unannounced"], summary["unannounced_missing"], summary["gaps"]) == (0, False, [])
        assert not [line for line in zh if str(line).startswith("缺口")]
        assert "gap: no unannounced inspection" not in codes
        assert "缺口" not in printed
        with clock.frozen(date(2026, 12, 31)):  # its last day: still running
            summary, *_ = await shown()
        assert summary["gaps"] == []
        with clock.frozen(date(2027, 1, 1)):  # the month over
            summary, zh, codes, printed = await shown()
        gap = "2026年12月地区620521000000未开展暗访督查（一月一督查暗访）"
        assert (summary["unannounced_missing"], summary["gaps"]) == (True, [gap])
        assert f"缺口：{gap}" in zh
        assert "gap: no unannounced inspection" in codes
        assert f"缺口：{gap}" in printed
