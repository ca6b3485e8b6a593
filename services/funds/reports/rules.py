"""Planned vs received vs disbursed per source, and the rendering of a report to CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook

from shared.money import format_yuan

__all__ = ["COLUMNS", "ReportRow", "disbursement_rate_percent", "to_csv", "to_xlsx", "total_row"]


@dataclass(frozen=True)
class ReportRow:
    source: str
    planned_fen: int
    received_fen: int
    disbursed_fen: int

    @property
    def rate_percent(self) -> str:
        return disbursement_rate_percent(self.disbursed_fen, self.received_fen)


COLUMNS = ("source", "planned_yuan", "received_yuan", "disbursed_yuan", "disbursement_rate_percent")


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
        "total",
        sum(r.planned_fen for r in rows),
        sum(r.received_fen for r in rows),
        sum(r.disbursed_fen for r in rows),
    )


def _cells(row: ReportRow) -> list[str]:
    return [
        row.source,
        format_yuan(row.planned_fen),
        format_yuan(row.received_fen),
        format_yuan(row.disbursed_fen),
        row.rate_percent,
    ]


def to_csv(rows: Iterable[ReportRow]) -> str:
    rows = list(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in [*rows, total_row(rows)]:
        writer.writerow(_cells(row))
    return out.getvalue()


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def to_xlsx(rows: Iterable[ReportRow], *, title: str) -> bytes:
    """Amounts as exact decimal numbers in yuan (never floats), formatted to the fen."""
    rows = list(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(COLUMNS))
    for row in [*rows, total_row(rows)]:
        sheet.append(
            [
                row.source,
                _yuan(row.planned_fen),
                _yuan(row.received_fen),
                _yuan(row.disbursed_fen),
                row.rate_percent,
            ]
        )
        for cell in sheet[sheet.max_row][1:4]:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
