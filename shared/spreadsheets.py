"""Reports and rolls as files a county office opens in Excel or WPS, streamed.

- CSV: UTF-8 with a BOM (Excel otherwise shows Chinese as mojibake), Chinese headers, money in 元
  with two decimals and no thousands separators (``1234.56``), dates as ``2026-12-03``; written
  row by row from a generator, so a province-sized roll never sits in memory as one string.
- XLSX: openpyxl's write-only mode (rows go to a temporary file as they are appended), the header
  row frozen, column widths set, money as exact decimals formatted ``#,##0.00``, dates as dates
  formatted ``yyyy-mm-dd``; the finished file is streamed from disk in chunks.

``headers="codes"`` gives the machine-readable column names (the provincial platform's import
reads them) instead of the Chinese ones; the values are the same.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from starlette.responses import StreamingResponse

from shared.clock import clock

__all__ = [
    "CSV_MEDIA_TYPE",
    "XLSX_MEDIA_TYPE",
    "Column",
    "HeaderStyle",
    "Sheet",
    "content_disposition",
    "csv_response",
    "csv_rows",
    "xlsx_file",
    "xlsx_response",
    "yuan",
]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
HeaderStyle = Literal["zh", "codes"]
Kind = Literal["text", "money", "int", "date", "percent"]
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    code: str  # machine-readable name (headers=codes)
    header: str  # the Chinese header a clerk reads
    kind: Kind = "text"  # money: integer fen in, 元 with two decimals out
    width: int | None = None  # in characters; a CJK character counts two

    def title(self, style: HeaderStyle) -> str:
        return self.code if style == "codes" else self.header


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    preamble: Sequence[Sequence[Any]] = ()  # lines above the header (a report's title and period)


def yuan(fen: int) -> Decimal:
    """Integer fen as exact 元 (never a float)."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _text(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, int):
        return f"{yuan(value):.2f}"
    if isinstance(value, datetime):  # the office's time with its offset, as the REST answers write it
        return clock.local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def csv_rows(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, headers: HeaderStyle = "zh"
) -> Iterator[bytes]:
    """The CSV as UTF-8 chunks, the BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([c.title(headers) for c in columns])
    for row in rows:
        writer.writerow([_text(v, c.kind) for v, c in zip(row, columns, strict=True)])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _width(column: Column, style: HeaderStyle) -> float:
    if column.width is not None:
        return column.width
    title = column.title(style)
    shown = sum(2 if ord(ch) > 0x2E7F else 1 for ch in title)
    return max(shown + 2, {"money": 14, "date": 12, "int": 8, "percent": 8}.get(column.kind, 12))


def _cell(ws: WriteOnlyWorksheet, value: Any, kind: Kind) -> WriteOnlyCell:
    if kind == "money" and isinstance(value, int) and not isinstance(value, bool):
        cell = WriteOnlyCell(ws, value=yuan(value))
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, datetime):  # Excel has no zones: the office's wall-clock time
        cell = WriteOnlyCell(ws, value=clock.local(value).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, bool):
        return WriteOnlyCell(ws, value="是" if value else "否")
    if isinstance(value, int | float | Decimal | str) or value is None:
        return WriteOnlyCell(ws, value=value)
    return WriteOnlyCell(ws, value=str(value))


def _write_sheet(book: Workbook, sheet: Sheet, style: HeaderStyle) -> None:
    ws = book.create_sheet(sheet.title[:31])
    assert isinstance(ws, WriteOnlyWorksheet)
    # Widths and the frozen rows must be set before the first row is written.
    for i, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(column, style)
    ws.freeze_panes = f"A{len(sheet.preamble) + 2}"
    for line in sheet.preamble:
        ws.append([_cell(ws, v, "text") for v in line])
    bold = Font(bold=True)
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=column.title(style))
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    for row in sheet.rows:
        ws.append([_cell(ws, v, c.kind) for v, c in zip(row, sheet.columns, strict=True)])


def xlsx_file(sheets: Iterable[Sheet], *, headers: HeaderStyle = "zh") -> Any:
    """The workbook in a temporary file (spilled to disk above 1 MB), positioned at its start."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(book, sheet, headers)
    out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - closed by the stream
    book.save(out)
    out.seek(0)
    return out


def _chunks(file: Any) -> Iterator[bytes]:
    try:
        while chunk := file.read(_CHUNK):
            yield chunk
    finally:
        file.close()


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real (Chinese) name per RFC 6266."""
    if filename.isascii():
        return f'attachment; filename="{filename}"'
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def csv_response(
    filename: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, headers: HeaderStyle = "zh"
) -> StreamingResponse:
    return StreamingResponse(
        csv_rows(columns, rows, headers=headers),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(filename)},
    )


def xlsx_response(
    filename: str, sheets: Iterable[Sheet], *, headers: HeaderStyle = "zh"
) -> StreamingResponse:
    return StreamingResponse(
        _chunks(xlsx_file(sheets, headers=headers)),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(filename)},
    )
