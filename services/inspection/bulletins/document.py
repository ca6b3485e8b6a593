"""The bulletin as a downloadable workbook (shared/spreadsheets.py, streamed): a summary sheet
and one sheet per list. Everything a reader sees is Chinese (kinds, categories, severities and
statuses by their labels); ``headers=codes`` keeps the English sheet names, field names and codes
for a machine that reads it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.inspection.bulletins.schemas import BulletinFinding, BulletinOut
from services.inspection.vocabulary import (
    ACCOUNTABILITY_KINDS,
    FINDING_CATEGORIES,
    FINDING_STATUSES,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    SEVERITIES,
)
from shared.spreadsheets import Column, HeaderStyle, Sheet

__all__ = ["FINDING_COLUMNS", "sheets"]

FINDING_COLUMNS = (
    Column("area_code", "地区代码", width=14),
    Column("category", "问题类别", width=18),
    Column("severity", "严重程度"),
    Column("title", "问题", width=40),
    Column("responsible_unit", "责任单位", width=24),
    Column("deadline", "整改期限", "date"),
    Column("status", "整改状态"),
)
INSPECTION_COLUMNS = (
    Column("kind", "督查方式"),
    Column("title", "督查名称", width=36),
    Column("starts_on", "开始日期", "date"),
    Column("ends_on", "结束日期", "date"),
    Column("target_areas", "督查地区", width=30),
    Column("status", "状态"),
)
ACCOUNTABILITY_COLUMNS = (
    Column("issued_on", "问责日期", "date"),
    Column("kind", "问责方式"),
    Column("subject", "问责对象", width=24),
    Column("area_code", "地区代码", width=14),
    Column("reason", "问责原因", width=40),
)


class _Words:
    def __init__(self, style: HeaderStyle) -> None:
        self.codes = style == "codes"

    def __call__(self, code: str, labels: dict[str, str]) -> str:
        return code if self.codes else labels.get(code, code)


def _findings(items: Iterable[BulletinFinding], say: _Words) -> Iterable[list[Any]]:
    for f in items:
        yield [
            f.area_code,
            say(f.category, FINDING_CATEGORIES),
            say(f.severity, SEVERITIES),
            f.title,
            f.responsible_unit,
            f.deadline,
            say(f.status, FINDING_STATUSES),
        ]


def sheets(b: BulletinOut, headers: HeaderStyle = "zh") -> list[Sheet]:
    say, codes = _Words(headers), headers == "codes"
    s = b.summary
    if codes:
        title = [f"Monthly inspection bulletin {b.year}-{b.month:02d}", f"area {b.area_prefix or 'all'}"]
        lines: list[list[Any]] = [
            ["inspections", s.inspections],
            ["of which unannounced", s.unannounced],
            ["findings raised", s.findings_raised],
            ["rectifications verified", s.rectifications_verified],
            ["overdue at month end", s.overdue_open],
        ]
        lines += [[f"findings {k}", n] for k, n in s.findings_by_severity.items()]
        lines += [[f"accountability {k}", n] for k, n in s.accountability_by_kind.items()]
    else:
        title = [f"{b.year}年{b.month}月扶贫督查通报", f"地区 {b.area_prefix or '全部'}"]
        lines = [
            ["督查次数", s.inspections],
            ["其中暗访", s.unannounced],
            ["发现问题", s.findings_raised],
            ["整改验收", s.rectifications_verified],
            ["月末逾期未整改", s.overdue_open],
        ]
        lines += [[f"问题（{SEVERITIES.get(k, k)}）", n] for k, n in s.findings_by_severity.items()]
        lines += [
            [f"问责（{ACCOUNTABILITY_KINDS.get(k, k)}）", n] for k, n in s.accountability_by_kind.items()
        ]
    names = (
        ("summary", "inspections", "findings raised", "rectified", "overdue", "accountability")
        if codes
        else ("概况", "督查", "发现问题", "整改验收", "逾期未整改", "问责")
    )
    return [
        Sheet(names[0], [Column("item", "项目", width=24), Column("count", "数量", "int")], lines, [title]),
        Sheet(
            names[1],
            INSPECTION_COLUMNS,
            (
                [
                    say(i.kind, INSPECTION_KINDS),
                    i.title,
                    i.starts_on,
                    i.ends_on,
                    ", ".join(i.target_areas) if codes else "、".join(i.target_areas),
                    say(i.status, INSPECTION_STATUSES),
                ]
                for i in b.inspections
            ),
        ),
        Sheet(names[2], FINDING_COLUMNS, _findings(b.findings_raised, say)),
        Sheet(names[3], FINDING_COLUMNS, _findings(b.rectifications_verified, say)),
        Sheet(names[4], FINDING_COLUMNS, _findings(b.overdue_open, say)),
        Sheet(
            names[5],
            ACCOUNTABILITY_COLUMNS,
            (
                [r.issued_on, say(r.kind, ACCOUNTABILITY_KINDS), r.subject, r.area_code, r.reason]
                for r in b.accountability
            ),
        ),
    ]
