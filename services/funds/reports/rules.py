"""Planned vs received vs disbursed per source, and the rendering of a report to CSV and XLSX
(shared/spreadsheets.py: Chinese headers, 元 with two decimals, streamed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shared.spreadsheets import Column, HeaderStyle, Sheet, csv_rows, xlsx_file

__all__ = [
    "COLUMNS",
    "TOTAL",
    "TOTAL_NAME",
    "ReportRow",
    "disbursement_rate_percent",
    "sheet",
    "table",
    "to_csv",
    "to_xlsx",
    "total_row",
]

TOTAL = "total"
TOTAL_NAME = "合计"


@dataclass(frozen=True)
class ReportRow:
    source: str
    planned_fen: int
    received_fen: int
    disbursed_fen: int
    name: str = ""  # the source account's name (江门市扶贫资金), "" when unknown

    @property
    def rate_percent(self) -> str:
        return disbursement_rate_percent(self.disbursed_fen, self.received_fen)


COLUMNS = (
    Column("source", "资金来源账户", width=24),
    Column("source_name", "资金来源", width=28),
    Column("planned_yuan", "计划金额（元）", "money"),
    Column("received_yuan", "到位金额（元）", "money"),
    Column("disbursed_yuan", "已拨付金额（元）", "money"),
    Column("disbursement_rate_percent", "拨付率（%）", "percent"),
)


def disbursement_rate_percent(disbursed_fen: int, received_fen: int) -> str:
    """Disbursed over received, in percent with two decimals, computed in integers (no floats).
    Nothing received yet reads as an empty rate, not 0% or a division error."""
    if received_fen <= 0:
        return ""
    hundredths = (disbursed_fen * 10_000 * 2 + received_fen) // (2 * received_fen)  # half-up
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def total_row(rows: Iterable[ReportRow]) -> ReportRow:
    rows = list(rows)
    return ReportRow(
        TOTAL,
        sum(r.planned_fen for r in rows),
        sum(r.received_fen for r in rows),
        sum(r.disbursed_fen for r in rows),
        TOTAL_NAME,
    )


def table(rows: Sequence[ReportRow], headers: HeaderStyle = "zh") -> Iterator[list[Any]]:
    """One line per source (money in fen; the writers turn it into 元) and the total line."""
    for row in [*rows, total_row(rows)]:
        total = row.source == TOTAL
        yield [
            (TOTAL_NAME if headers == "zh" else TOTAL) if total else row.source,
            "" if total else row.name,
            row.planned_fen,
            row.received_fen,
            row.disbursed_fen,
            row.rate_percent,
        ]


def sheet(rows: Sequence[ReportRow], *, title: str, headers: HeaderStyle = "zh") -> Sheet:
    return Sheet(title, COLUMNS, table(rows, headers))


def to_csv(rows: Iterable[ReportRow], *, headers: HeaderStyle = "zh") -> bytes:
    return b"".join(csv_rows(COLUMNS, table(list(rows), headers), headers=headers))


def to_xlsx(rows: Iterable[ReportRow], *, title: str, headers: HeaderStyle = "zh") -> bytes:
    """Amounts as exact decimal numbers in 元 (never floats), formatted to the fen."""
    with xlsx_file([sheet(list(rows), title=title, headers=headers)], headers=headers) as file:
        data: bytes = file.read()
    return data
