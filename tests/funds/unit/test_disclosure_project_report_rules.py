from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from services.funds.disclosures.rules import can_close, check_objection_allowed, ends_on
from services.funds.errors import (
    NoticeNotRunning,
    NoticeStillRunning,
    ObjectionsUnresolved,
    ProjectTransitionRefused,
)
from services.funds.policies.presets import DISCLOSURE_DEFAULTS
from services.funds.projects.rules import check_transition
from services.funds.reports.rules import ReportRow, disbursement_rate_percent, to_csv, to_xlsx
from shared.money import yuan

PUBLISHED = date(2017, 3, 1)
DAYS = DISCLOSURE_DEFAULTS.notice_days


def test_a_seven_day_notice_runs_seven_days_inclusive() -> None:
    assert DAYS == 7
    assert ends_on(PUBLISHED, DAYS) == date(2017, 3, 7)
    check_objection_allowed(published_on=PUBLISHED, notice_days=DAYS, closed=False, today=date(2017, 3, 7))
    with pytest.raises(NoticeNotRunning):
        check_objection_allowed(
            published_on=PUBLISHED, notice_days=DAYS, closed=False, today=date(2017, 3, 8)
        )


def test_a_notice_closes_only_after_its_days_and_with_objections_resolved() -> None:
    with pytest.raises(NoticeStillRunning):
        can_close(
            published_on=PUBLISHED,
            notice_days=DAYS,
            closed=False,
            today=date(2017, 3, 7),
            objection_statuses=[],
        )
    with pytest.raises(ObjectionsUnresolved):
        can_close(
            published_on=PUBLISHED,
            notice_days=DAYS,
            closed=False,
            today=date(2017, 3, 8),
            objection_statuses=["resolved", "open"],
        )
    can_close(
        published_on=PUBLISHED,
        notice_days=DAYS,
        closed=False,
        today=date(2017, 3, 8),
        objection_statuses=["resolved"],
    )


def test_project_lifecycle() -> None:
    for current, target in [
        ("proposed", "approved"),
        ("approved", "in_progress"),
        ("in_progress", "completed"),
    ]:
        check_transition(current, target)
    with pytest.raises(ProjectTransitionRefused) as refused:
        check_transition("completed", "in_progress")
    assert refused.value.status == 409
    assert refused.value.detail_zh == "项目当前状态为“已完工”，不能转为“实施中”；已不能再转为其他状态"
    assert refused.value.extensions["allowed_labels"] == []
    with pytest.raises(ProjectTransitionRefused) as refused:
        check_transition("proposed", "completed")
    # what the project may become, in words beside the codes
    assert refused.value.detail_zh == "项目当前状态为“拟立项”，不能转为“已完工”；可转为“已批复”或“已取消”"
    assert refused.value.extensions["allowed"] == ["approved", "cancelled"]
    assert refused.value.extensions["allowed_labels"] == ["已批复", "已取消"]
    assert refused.value.detail.endswith("cannot become completed; it can become approved or cancelled")


def test_disbursement_rate_is_exact_and_half_up() -> None:
    assert disbursement_rate_percent(376_500, 1_004_000) == "37.50"
    assert disbursement_rate_percent(1, 3) == "33.33"
    assert disbursement_rate_percent(2, 3) == "66.67"
    assert disbursement_rate_percent(5, 0) == ""


ROWS = [
    ReportRow("jiangmen-poverty-fund", yuan(4_016_000), yuan(4_016_000), yuan(2_008_000)),
    ReportRow("chishui-town-finance", yuan(301_200), yuan(112_950), 0),
]


def test_csv_report_has_yuan_to_the_fen_and_a_total() -> None:
    data = to_csv(ROWS)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese right
    lines = data.decode("utf-8-sig").splitlines()

    assert lines[0] == "资金来源账户,资金来源,计划金额（元）,到位金额（元）,已拨付金额（元）,拨付率（%）"
    assert lines[1] == "jiangmen-poverty-fund,,4016000.00,4016000.00,2008000.00,50.00"
    assert lines[-1] == "合计,,4317200.00,4128950.00,2008000.00,48.63"


def test_csv_report_keeps_machine_readable_headers_on_request() -> None:
    lines = to_csv(ROWS, headers="codes").decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "source,source_name,planned_yuan,received_yuan,disbursed_yuan,disbursement_rate_percent"
    )
    assert lines[-1] == "total,,4317200.00,4128950.00,2008000.00,48.63"


def test_xlsx_report_holds_the_same_numbers() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(ROWS, title="Chishui 2017"))).active
    assert sheet is not None

    assert sheet.freeze_panes == "A2"  # the header row stays in view
    assert sheet.column_dimensions["C"].width >= 14
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "资金来源账户"
    assert rows[2][0] == "chishui-town-finance"
    assert rows[2][2:4] == (301_200, 112_950)
    assert sheet.cell(row=3, column=3).number_format == "#,##0.00"
    assert rows[3][0] == "合计"
    assert rows[3][5] == "48.63"
