"""Reading an uploaded roll (XLSX or CSV) and the generic parts of a staged import, shared by the
services that import spreadsheets (registry: households and incomes; pairing: cadres and pairings).

- ``read_rows``: the file's rows as text cells, streamed (openpyxl read_only, or the decoded CSV:
  UTF-8 with or without a BOM, else GB18030 — a superset of GBK and GB2312).
- ``map_header``: which column holds which field, by its Chinese header or an accepted alias.
- ``template_xlsx``: a downloadable template (header, an example row, the allowed values as
  drop-downs fed from a second sheet 可选值).
- ``progress``: elapsed seconds and the ETA a polling client shows.
- ``rows_page``: a page of a staged import's rows and the ``after`` of the next one.
- ``upload_bytes``: the file of an upload route, sent as multipart (field ``file``) or raw.
No domain rules here: each service keeps its own rows' rules and its own errors.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook
from starlette.requests import Request

from shared.errors import InvalidInput

__all__ = [
    "REASON_HEADER",
    "ColumnSpec",
    "UnreadableFile",
    "cell_text",
    "decode_csv",
    "eta_seconds",
    "excel_serial_date",
    "file_sha256",
    "is_total_row",
    "is_xlsx",
    "lost_digits",
    "map_header",
    "parse_date",
    "progress",
    "read_rows",
    "rows_page",
    "template_xlsx",
    "upload_bytes",
]

REASON_HEADER = "错误原因"
# (field, header as written, other headers accepted, required on every file)
ColumnSpec = tuple[str, str, tuple[str, ...], bool]
Rows = Iterator[list[str | None]]


class UnreadableFile(Exception):
    """The bytes are no workbook openpyxl can open (each service answers with its own error)."""


CALAMINE_MAX_BYTES = 16 * 1024 * 1024  # ~120,000 households of 3 members
EXACT_DIGITS_BELOW = 1e15  # Excel keeps 15 significant digits of a number
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook (.xls)
# the first cell of a row that sums the roll up (合计 / 共3户8人 …), not a row of the roll
TOTAL_LABELS = ("合计", "总计", "小计", "共计")


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM means UTF-8; otherwise UTF-8 if it decodes, else GB18030 (a superset
    of GBK and GB2312, the encodings civil affairs hands rolls over in); ``UnreadableFile`` if
    neither decodes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:  # no text at all (a PDF, a picture, a Word file ...)
        raise UnreadableFile(f"neither a workbook nor a CSV in UTF-8 or GBK: {exc}") from exc


def parse_date(text: str) -> date | None:
    """A date as clerks write it: 2026-12-03, 2026/12/03, 2026.12.03, 2026年12月3日, 20261203."""
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# an Excel date serial typed (or kept) as text: five digits, 2000-01-01 (36526) to 2099-12-31 (73050)
_SERIAL = re.compile(r"[0-9]{5}")
SERIAL_DATES = (date(2000, 1, 1), date(2099, 12, 31))
# a number Excel shows in scientific notation (4.40783E+17): the digits past the 15th are gone
_AS_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?E\+?[0-9]+")


def excel_serial_date(text: str) -> date | None:
    """An Excel date serial written as text ("42434", what a date cell shows once its column is made
    text or the sheet is saved as CSV) as its date (2016-03-05), when it is five digits and falls in
    SERIAL_DATES; None otherwise (any other number is no date)."""
    if not _SERIAL.fullmatch(text):
        return None
    on = from_excel(int(text)).date()
    return on if SERIAL_DATES[0] <= on <= SERIAL_DATES[1] else None


def lost_digits(text: str) -> bool:
    """Whether a cell holds a long number as Excel shows it (4.40783E+17, cell_text's form): its
    digits past the 15th are lost, so the column must be made text and the value typed again."""
    return _AS_NUMBER.fullmatch(text.strip().upper()) is not None


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def file_sha256(data: bytes) -> str:
    """The file's fingerprint: the same bytes uploaded twice are recognised by it."""
    return hashlib.sha256(data).hexdigest()


def cell_text(value: object) -> str | None:
    """A cell as the clerk sees it: dates as 2026-12-03, whole numbers without .0, blanks as None; a
    number of 16 digits or more (a resident ID typed as a number) as Excel shows it, 4.40783E+17."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and abs(value) >= EXACT_DIGITS_BELOW:
        return f"{value:.5E}"  # as Excel shows it (4.40783E+17): the digits past the 15th are gone
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def eta_seconds(done: int, total: int | None, elapsed_s: float) -> float | None:
    """Seconds left at the rate so far; None until there is a rate and a total."""
    if not total or done <= 0 or elapsed_s <= 0:
        return None
    return round(max(total - done, 0) * elapsed_s / done, 1)


class Timed(Protocol):
    started_at: datetime | None
    finished_at: datetime | None


def progress(phase: Timed, *, now: datetime, done: int, total: int | None, running: bool) -> dict[str, Any]:
    """``elapsed_s`` since the phase started and, while it runs, ``eta_s`` at the rate so far."""
    elapsed = None
    if phase.started_at is not None:
        elapsed = ((phase.finished_at or now) - phase.started_at).total_seconds()
    eta = eta_seconds(done, total, elapsed) if running and elapsed is not None else None
    return {"elapsed_s": round(elapsed, 1) if elapsed is not None else None, "eta_s": eta}


class Staged(Protocol):
    @property
    def row_no(self) -> int: ...


S = TypeVar("S", bound=Staged)


def rows_page(found: Sequence[S], limit: int, shape: Callable[[S], Any]) -> dict[str, Any]:
    """A page of staged rows (read with ``row_no > after``, at most ``limit``): ``items``, each row
    shaped, and ``next_after``, the last row's number while the page is full (null on the last)."""
    return {
        "items": [shape(r) for r in found],
        "next_after": found[-1].row_no if len(found) == limit else None,
    }


def read_rows(data: bytes, *, whole: bool = False) -> tuple[str, str | None, int | None, Rows]:
    """(format, encoding, rows after the header if known, rows as text cells incl. the header).
    Raises ``UnreadableFile`` for bytes that look like a workbook but do not open, or are no text.
    An Excel 97-2003 workbook (.xls) is read by calamine too.
    An XLSX read ``whole`` (validation) goes through calamine (Rust): ~10x faster than openpyxl's
    read-only mode, the bulk of a large roll's validation, but it holds the sheet's cells while it
    is read (~2 MB of memory per 1,000 households), so only files up to CALAMINE_MAX_BYTES (a
    county's roll) take it; an upload's first look, and larger files, stream through openpyxl."""
    xls = data.startswith(OLE2_MAGIC)  # read by calamine only (a .xls holds at most 65,536 rows)
    if is_xlsx(data) or xls:
        fast = xls or (whole and len(data) <= CALAMINE_MAX_BYTES)
        try:
            total, rows = _calamine_rows(data) if fast else _openpyxl_rows(data)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise UnreadableFile(str(exc)) from exc
        return ("xls" if xls else "xlsx"), None, total, rows
    text, encoding = decode_csv(data)
    total = max(text.count("\n") - 1, 0) or None

    def csv_rows() -> Rows:
        for values in csv.reader(io.StringIO(text)):
            yield [cell_text(v) for v in values]

    return "csv", encoding, total, csv_rows()


def _calamine_rows(data: bytes) -> tuple[int | None, Rows]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    # rows come from the first; cells from the first used column (those before it: blank)
    top, left = sheet.start or (0, 0)
    before: list[str | None] = [None] * left
    spans = [
        ((r0 - top, c0 - left), (r1 - top, c1 - left))
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()
    ]

    def cells() -> Rows:
        yield from ([] for _ in range(top))  # blank rows above the first used one, so rows keep their numbers
        for values in _unmerged(sheet.iter_rows(), spans):
            yield [*before, *map(cell_text, values)]

    return (sheet.end[0] if sheet.end else None), cells()


Span = tuple[tuple[int, int], tuple[int, int]]  # (first row, first column), (last row, last column)


def _unmerged(rows: Iterator[list[Any]], spans: Sequence[Span]) -> Iterator[list[Any]]:
    """The rows with each merged range's value in every cell of it, as Excel shows it (an office's
    roll merges 户编号, 村代码 … over a household's rows: the file holds them in the first row only)."""
    starting: dict[int, list[Span]] = {}
    for span in spans:
        starting.setdefault(span[0][0], []).append(span)
    active: list[tuple[int, int, int, Any]] = []  # (last row, first column, last column, value)
    for r, values in enumerate(rows):
        active = [a for a in active if a[0] >= r]
        for (_, c0), (r1, c1) in starting.pop(r, ()):
            active.append((r1, c0, c1, values[c0] if c0 < len(values) else None))
        for _, c0, c1, value in active:
            values[c0 : c1 + 1] = [value] * len(values[c0 : c1 + 1])
        yield values


def _openpyxl_rows(data: bytes) -> tuple[int | None, Rows]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]

    def cells() -> Rows:
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [cell_text(v) for v in values]
        finally:
            book.close()

    return ((sheet.max_row - 1) if sheet.max_row else None), cells()


def is_total_row(cells: Sequence[str | None]) -> bool:
    """A row that sums the roll up (its first filled cell 合计, 总计：…): not a row of the roll."""
    first = next((c for c in cells if c), None)
    return first is not None and first.startswith(TOTAL_LABELS)


def map_header(
    columns: Sequence[ColumnSpec], header: Sequence[str | None]
) -> tuple[dict[str, int], list[str]]:
    """Field → column index, and the required headers that are missing (in Chinese)."""
    names = [(h or "").strip().lstrip("\ufeff") for h in header]
    found: dict[str, int] = {}
    missing: list[str] = []
    for fld, title, aliases, required in columns:
        for i, n in enumerate(names):
            if n == title or n in aliases:
                found[fld] = i
                break
        else:
            if required:
                missing.append(title)
    return found, missing


def template_xlsx(
    title: str,
    headers: Sequence[str],
    example: Sequence[str],
    choices: Mapping[str, Sequence[str]],
    *,
    wide: Sequence[str] = (),
    lenient: Sequence[str] = (),
) -> bytes:
    """A template workbook: the bold, frozen header row, one example row, and a drop-down on each
    column named in ``choices`` (fed from the sheet 可选值; Excel refuses other values except in the
    ``lenient`` columns, whose cells may hold several); ``wide`` columns get room for an ID."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(list(example))
    for i, header in enumerate(headers, start=1):
        width = 22 if header in wide else max(14, 2 * len(header) + 4)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if choices:
        lists = book.create_sheet("可选值")
        for n, (header, values) in enumerate(choices.items(), start=1):
            letter = get_column_letter(n)
            lists.cell(row=1, column=n, value=header)
            for r, value in enumerate(values, start=2):
                lists.cell(row=r, column=n, value=value)
            column = get_column_letter(list(headers).index(header) + 1)
            dv = DataValidation(
                type="list",
                formula1=f"='可选值'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=True,
                showErrorMessage=header not in lenient,
                errorTitle="不在可选值中",
                error=f"请从下拉列表中选择{header}",
            )
            dv.add(f"{column}2:{column}100000")
            ws.add_data_validation(dv)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload_bytes(request: Request, filename: str | None) -> tuple[bytes, str | None]:
    """The uploaded file and its name: multipart (field ``file``) or the raw body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload_file = form.get("file")
        if upload_file is None or isinstance(upload_file, str):
            raise InvalidInput(
                "the multipart form needs a field 'file'", detail_zh="请在表单的file字段上传表格文件"
            )
        return await upload_file.read(), filename or upload_file.filename
    return await request.body(), filename
