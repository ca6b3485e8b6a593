"""The bulletin as a downloadable workbook (shared/spreadsheets.py, streamed): a summary sheet
and one sheet per list. Everything a reader sees is Chinese (kinds, categories, severities and
statuses by their labels); ``headers=codes`` keeps the English sheet names, field names and codes
for a machine that reads it."""

from __future__ import annotations

from typing import Any

from services.inspection.bulletins.schemas import (
    BulletinFinding,
    BulletinInspection,
    BulletinOut,
    BulletinSummaryOut,
)
from services.inspection.findings.schemas import AccountabilityOut
from services.inspection.vocabulary import (
    ACCOUNTABILITY_KINDS,
    FINDING_CATEGORIES,
    FINDING_STATUSES,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    SEVERITIES,
)
from shared.spreadsheets import Column, HeaderStyle, Sheet

__all__ = [
    "ACCOUNTABILITY_COLUMNS",
    "FINDING_COLUMNS",
    "INSPECTION_COLUMNS",
    "Words",
    "accountability_cells",
    "finding_cells",
    "inspection_cells",
    "overview",
    "sheets",
]

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


# The month's figures: field of the summary, its line in English (headers=codes), in Chinese.
OVERVIEW = (
    ("inspections", "inspections", "督查次数"),
    ("unannounced", "of which unannounced", "其中暗访"),
    ("findings_raised", "findings raised", "发现问题"),
    ("rectifications_verified", "rectifications verified", "整改验收"),
    ("overdue_open", "overdue at month end", "月末逾期未整改"),
)


class Words:
    """A code as the reader sees it: its Chinese label, or the code itself for ``headers=codes``."""

    def __init__(self, style: HeaderStyle) -> None:
        self.codes = style == "codes"

    def __call__(self, code: str, labels: dict[str, str]) -> str:
        return code if self.codes else labels.get(code, code)


def overview(s: BulletinSummaryOut, say: Words) -> list[tuple[str, int | None]]:
    return [(en if say.codes else zh, getattr(s, field)) for field, en, zh in OVERVIEW]


def finding_cells(f: BulletinFinding, say: Words) -> list[Any]:
    return [
        f.area_code,
        say(f.category, FINDING_CATEGORIES),
        say(f.severity, SEVERITIES),
        f.title,
        f.responsible_unit,
        f.deadline,
        say(f.status, FINDING_STATUSES),
    ]


def inspection_cells(i: BulletinInspection, say: Words) -> list[Any]:
    return [
        say(i.kind, INSPECTION_KINDS),
        i.title,
        i.starts_on,
        i.ends_on,
        ", ".join(i.target_areas) if say.codes else "、".join(i.target_areas),
        say(i.status, INSPECTION_STATUSES),
    ]


def accountability_cells(r: AccountabilityOut, say: Words) -> list[Any]:
    return [r.issued_on, say(r.kind, ACCOUNTABILITY_KINDS), r.subject, r.area_code, r.reason]


def sheets(b: BulletinOut, headers: HeaderStyle = "zh") -> list[Sheet]:
    say, codes = Words(headers), headers == "codes"
    s = b.summary
    lines: list[list[Any]] = [[item, n] for item, n in overview(s, say)]
    if codes:
        title = [f"Monthly inspection bulletin {b.year}-{b.month:02d}", f"area {b.area_prefix or 'all'}"]
        lines += [[f"findings {k}", n] for k, n in s.findings_by_severity.items()]
        lines += [[f"accountability {k}", n] for k, n in s.accountability_by_kind.items()]
        lines += [["gap: no unannounced inspection", None]] if s.unannounced_missing else []
    else:
        title = [f"{b.year}年{b.month}月扶贫督查通报", f"地区：{s.area}"]
        lines += [[f"问题（{SEVERITIES.get(k, k)}）", n] for k, n in s.findings_by_severity.items()]
        lines += [
            [f"问责（{ACCOUNTABILITY_KINDS.get(k, k)}）", n] for k, n in s.accountability_by_kind.items()
        ]
        lines += [[f"缺口：{gap}", None] for gap in s.gaps]  # seed 001 一月一督查暗访: a line, no count
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
            (inspection_cells(i, say) for i in b.inspections),
        ),
        Sheet(names[2], FINDING_COLUMNS, (finding_cells(f, say) for f in b.findings_raised)),
        Sheet(names[3], FINDING_COLUMNS, (finding_cells(f, say) for f in b.rectifications_verified)),
        Sheet(names[4], FINDING_COLUMNS, (finding_cells(f, say) for f in b.overdue_open)),
        Sheet(
            names[5],
            ACCOUNTABILITY_COLUMNS,
            (accountability_cells(r, say) for r in b.accountability),
        ),
    ]
