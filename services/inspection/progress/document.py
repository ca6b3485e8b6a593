"""The progress report as a downloadable workbook (shared/spreadsheets.py, streamed): a summary
sheet and one sheet per block of figures, one row per child area and a 合计 row, so the figures can
be passed upward as they are. Chinese sheet names and headers, money in 元; ``headers=codes``
keeps the field names as headers for a machine that reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from services.inspection.progress.rules import FLOW_FIELDS
from services.inspection.progress.schemas import ProgressReportOut, ProgressRowOut, StandingOut
from shared.spreadsheets import Column, HeaderStyle, Sheet

__all__ = ["FIELD_LABELS", "sheets"]

STANDING_FIELDS = tuple(StandingOut.model_fields)
FIELD_LABELS = {
    "households_registered": "新识别户数",
    "persons_registered": "新识别人数",
    "households_exited": "脱贫户数",
    "persons_exited": "脱贫人数",
    "households_relapsed": "返贫户数",
    "persons_relapsed": "返贫人数",
    "households_removed": "清退户数",
    "persons_removed": "清退人数",
    "disbursed_fen": "拨付资金（元）",
    "visits": "走访次数",
    "households_visited": "走访户数",
    "findings_raised": "发现问题数",
    "findings_rectified": "整改验收问题数",
    "complaints_received": "受理举报数",
    "complaints_resolved": "办结举报数",
    "target_people": "减贫目标人数",
    "target_progress": "减贫目标完成率",
    "planned_fen": "计划资金（元）",
    "received_fen": "到位资金（元）",
    "plan_year_disbursed_fen": "本年度计划已拨付（元）",
    "disbursement_rate": "资金拨付率",
    "households_in_roll": "在册户数",
    "households_paired": "已结对户数",
    "pairing_coverage": "结对覆盖率",
    "findings_overdue": "逾期未整改问题数",
    "visits_satisfied": "走访满意数",
    "visits_basically_satisfied": "走访基本满意数",
    "visits_dissatisfied": "走访不满意数",
    "satisfaction_rate": "群众满意率（满意+基本满意）",
}
_REASONS = {
    "received_fen": "督查服务不接收资金到位记录",
    "households_in_roll, households_paired, pairing_coverage": "在册户和结对按计算当日统计，不是季度末",
}


def _column(field: str) -> Column:
    if field.endswith("_fen"):
        return Column(field, FIELD_LABELS.get(field, field), "money")
    if field in ("target_progress", "disbursement_rate", "pairing_coverage", "satisfaction_rate"):
        return Column(field, FIELD_LABELS.get(field, field), "percent")
    return Column(field, FIELD_LABELS.get(field, field), "int")


def _name(row: ProgressRowOut, style: HeaderStyle) -> str:
    own = " (own level)" if style == "codes" else "（本级）"
    return f"{row.name or ''}{own}" if row.own_level else (row.name or "")


def _table(
    r: ProgressReportOut, fields: tuple[str, ...], values: Callable[[ProgressRowOut], Any], style: HeaderStyle
) -> Sheet:
    columns = [Column("area_code", "地区代码", width=14), Column("name", "地区名称", width=20)]
    columns += [_column(f) for f in fields]

    def rows() -> Iterator[list[Any]]:
        for row in r.rows:
            yield [row.area_code, _name(row, style), *(getattr(values(row), f) for f in fields)]
        total = "TOTAL" if style == "codes" else "合计"
        yield [total, r.total.name or "", *(getattr(values(r.total), f) for f in fields)]

    return Sheet("", columns, rows())


def sheets(r: ProgressReportOut, headers: HeaderStyle = "zh") -> list[Sheet]:
    codes = headers == "codes"
    summary: list[list[Any]] = [
        ["quarter", f"{r.period.start} - {r.period.end}"]
        if codes
        else ["本季度", f"{r.period.start} 至 {r.period.end}"],
        ["year to date", f"{r.year_to_date.start} - {r.year_to_date.end}"]
        if codes
        else ["年初至今", f"{r.year_to_date.start} 至 {r.year_to_date.end}"],
        ["submission deadline" if codes else "报送截止日期", r.deadline],
        ["inspections in the quarter" if codes else "本季度督查次数", r.inspections_quarter],
        ["inspections in the year to date" if codes else "年初至今督查次数", r.inspections_year_to_date],
    ]
    for u in r.unavailable:
        if codes:
            summary.append([f"not available: {u.field}", u.reason])
        else:
            names = "、".join(FIELD_LABELS.get(f.strip(), f) for f in u.field.split(","))
            summary.append([f"暂无数据：{names}", _REASONS.get(u.field, u.reason)])
    title = (
        f"Quarterly progress report {r.year} Q{r.quarter}"
        if codes
        else f"{r.year}年第{r.quarter}季度扶贫工作进度报告"
    )
    first = Sheet(
        "report" if codes else "报告",
        [Column("item", "项目", width=36), Column("value", "内容", width=28)],
        summary,
        preamble=[[title, f"{r.area_code} {r.name or ''}"]],
    )
    blocks: tuple[tuple[str, str, tuple[str, ...], Callable[[ProgressRowOut], Any]], ...] = (
        ("quarter", "本季度", FLOW_FIELDS, lambda row: row.quarter),
        ("year to date", "年初至今", FLOW_FIELDS, lambda row: row.year_to_date),
        ("standing", "时点数", STANDING_FIELDS, lambda row: row.standing),
    )
    out = [first]
    for code_name, zh_name, fields, values in blocks:
        table = _table(r, fields, values, headers)
        out.append(Sheet(code_name if codes else zh_name, table.columns, table.rows))
    return out
