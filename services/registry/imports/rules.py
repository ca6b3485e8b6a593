"""Pure rules of a spreadsheet import: reading the file's encoding, its header, and one row.

The registration roll (建档立卡花名册) has one row per member. Rows are grouped into households by
户编号; the household's own columns (行政区划代码/村代码, 致贫原因, 帮扶批次, 识别年度, 登记日期) are
read from its head's row (与户主关系 = 户主), so member rows may leave them empty or repeat them.
Checks that need no other row live here; the set-shaped ones run in SQL (repository.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from services.registry.households.rules import check_plan_year
from services.registry.vocabulary import (
    BATCH_LABELS,
    FIRST_ROLL_YEAR,
    LabourCapacity,
    PovertyCause,
    Relation,
    batch_code,
)
from shared.errors import InvalidInput
from shared.resident_id import InvalidResidentId, normalise, validate

# moved to shared.sheet_import (pairing's import reads files the same way); re-exported
from shared.sheet_import import cell_text as cell_text
from shared.sheet_import import decode_csv as decode_csv
from shared.sheet_import import eta_seconds as eta_seconds
from shared.sheet_import import excel_serial_date, lost_digits, map_header, parse_date
from shared.sheet_import import is_xlsx as is_xlsx

KINDS = ("registration",)
# kinds of issue 12 not done yet: household incomes for a year, the 低保 roll, village collective
# incomes, cadres and their pairings

STATUSES = ("validating", "validated", "committing", "committed", "failed", "cancelled")
MODES = ("all_or_nothing", "valid_rows_only")

# (field, header as written, other headers accepted, required on every row)
COLUMNS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("household_key", "户编号", ("户号",), True),
    ("area_code", "行政区划代码", ("村代码", "行政区划"), False),
    ("name", "姓名", ("成员姓名",), True),
    ("resident_id", "身份证号", ("身份证号码", "证件号码", "公民身份号码"), True),
    ("relation", "与户主关系", ("与户主的关系",), True),
    # 劳动技能: the national poverty information system's name of the same column
    ("labour_capacity", "劳动能力", ("劳动技能",), True),
    ("poverty_causes", "致贫原因", ("主要致贫原因",), False),
    ("batches", "帮扶批次", ("脱贫批次",), False),
    ("year", "识别年度", ("识别年份",), False),
    ("registered_on", "登记日期", ("登记时间",), False),
    # household attributes the JSON registration takes too (HouseholdAttributes); optional columns,
    # so a roll made from the older template still reads (empty: not 低保 / not 五保 / unknown)
    ("dibao", "低保户", ("是否低保户", "低保", "是否低保"), False),
    ("five_guarantee", "五保户", ("是否五保户", "五保", "特困供养"), False),
    ("labour_willing", "劳动意愿", ("有无劳动意愿", "是否有劳动意愿", "是否愿意接受帮扶"), False),
)
HEADERS = tuple(c[1] for c in COLUMNS)
REASON_HEADER = "错误原因"
_SPLIT = re.compile(r"[、,，;；/\s]+")


def header_map(header: list[str | None]) -> tuple[dict[str, int], list[str]]:
    """Field → column index, and the required headers that are missing (in Chinese)."""
    needed = ("area_code", "year", "registered_on")  # blank on member rows, but the column must be there
    return map_header([(f, t, a, required or f in needed) for f, t, a, required in COLUMNS], header)


@dataclass
class StagedRow:
    """What every kind's row names: its household, area, person (the staging table's own columns)."""

    household_key: str | None = None
    area_code: str | None = None
    name: str | None = None
    resident_id: str | None = None


@dataclass
class ParsedRow(StagedRow):
    birth_date: date | None = None
    sex: str | None = None
    relation: str | None = None
    labour_capacity: str | None = None
    poverty_causes: list[str] | None = None
    batches: list[str] | None = None
    year: int | None = None
    registered_on: date | None = None
    dibao: bool = False
    five_guarantee: bool = False
    labour_willing: bool | None = None
    reasons: list[str] = field(default_factory=list)

    def attributes(self) -> dict[str, bool | None] | None:
        """The head row's yes/no household columns, as staged (import_row.data); None on member rows."""
        if self.relation != Relation.HEAD.value:
            return None
        return {
            "dibao": self.dibao,
            "five_guarantee": self.five_guarantee,
            "labour_willing": self.labour_willing,
        }


# 劳动能力 as other rolls word it, read in the import only (the vocabulary keeps its own labels):
# 丧失劳动力, the national poverty information system's value; 丧失劳动能力 and 无劳动能力, the
# seeds' words (seeds 000, 001; 004); 弱劳动力 and 半劳动力, each half of the label 弱劳动力或半劳动力
LABOUR_WORDS = {
    "丧失劳动力": LabourCapacity.NONE,
    "丧失劳动能力": LabourCapacity.NONE,
    "无劳动能力": LabourCapacity.NONE,
    "弱劳动力": LabourCapacity.PARTIAL,
    "半劳动力": LabourCapacity.PARTIAL,
}


def check_household_key(row: StagedRow, reasons: list[str]) -> None:
    """A given 户编号's own reasons: one Excel kept as a number (16+ digits, shown as 4.40783E+17),
    as the ID column is told; one too long."""
    key = row.household_key
    if key and lost_digits(key):
        reasons.append(
            f"户编号被表格存成了数字（显示为{key}），后几位已丢失：请把户编号一列设为“文本”格式，"
            "照原花名册重新录入"
        )
    elif key and len(key) > 30:
        reasons.append("户编号最长30个字符")


def _choices(enum: type[PovertyCause] | type[Relation] | type[LabourCapacity]) -> str:
    return "、".join(m.label for m in enum)


def _code_of(
    row: ParsedRow, enum: type[Relation] | type[LabourCapacity], value: str | None, label: str
) -> str | None:
    """A required code-list cell as its code (the label is accepted too), or a reason on the row."""
    if not value:
        row.reasons.append(f"{label}不能为空")
        return None
    try:
        return enum(value).value
    except ValueError:
        row.reasons.append(f"{label}“{value}”不在可选值中（{_choices(enum)}）")
        return None


def parse_row(cells: list[str | None], columns: dict[str, int], *, today: date) -> ParsedRow:
    """One registration row, with every reason it is refused for that this row alone shows."""

    def get(name: str) -> str | None:
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    row = ParsedRow(household_key=get("household_key"), name=get("name"))
    if not row.household_key:
        row.reasons.append("户编号不能为空")
    check_household_key(row, row.reasons)
    if not row.name:
        row.reasons.append("姓名不能为空")
    elif len(row.name) > 50:
        row.reasons.append("姓名最长50个字")
    number = get("resident_id")
    if not number:
        row.reasons.append("身份证号不能为空")
    else:
        try:
            parsed = validate(normalise(number), today=today)
        except InvalidResidentId as exc:
            row.reasons.append(exc.zh)
        else:
            row.resident_id, row.birth_date, row.sex = parsed.number, parsed.birth_date, parsed.sex
    row.relation = _code_of(row, Relation, get("relation"), "与户主关系")
    labour = get("labour_capacity")
    row.labour_capacity = _code_of(row, LabourCapacity, LABOUR_WORDS.get(labour or "", labour), "劳动能力")
    if row.relation == Relation.HEAD.value:
        _household_columns(row, get, today=today)
    return row


def _household_columns(row: ParsedRow, get: object, *, today: date) -> None:
    assert callable(get)
    area = get("area_code")
    if not area:
        row.reasons.append("户主行的行政区划代码不能为空")
    elif not re.fullmatch(r"\d{12}", area):
        row.reasons.append(f"行政区划代码“{area}”应为12位数字")
    else:
        row.area_code = area
    causes: list[str] = []
    for value in _SPLIT.split(get("poverty_causes") or ""):
        if not value:
            continue
        try:
            causes.append(PovertyCause(value).value)
        except ValueError:
            row.reasons.append(f"致贫原因“{value}”不在可选值中（{_choices(PovertyCause)}）")
    row.poverty_causes = list(dict.fromkeys(causes))
    row.batches = list(dict.fromkeys(batch_code(b) for b in _SPLIT.split(get("batches") or "") if b))
    year = get("year")
    if not year:
        row.reasons.append("户主行的识别年度不能为空")
    elif not re.fullmatch(r"\d{4}", year) or int(year) < FIRST_ROLL_YEAR:
        row.reasons.append(f"识别年度“{year}”应为{FIRST_ROLL_YEAR}年以来的四位年份")
    else:
        try:
            check_plan_year(int(year), today=today)  # this year or next year's plan, as registration
        except InvalidInput as exc:
            row.reasons.append(exc.detail_zh or exc.detail)
        else:
            row.year = int(year)
    registered = get("registered_on")
    on = (parse_date(registered) or excel_serial_date(registered)) if registered else None
    if not registered:
        row.reasons.append("户主行的登记日期不能为空")
    elif on is None:
        row.reasons.append(f"登记日期“{registered}”不是有效日期，应写作2026-12-03")
    elif on > today:
        row.reasons.append(f"登记日期{on.isoformat()}晚于今天（{today.isoformat()}），不能登记未来的日期")
    else:
        row.registered_on = on
    row.dibao = bool(yes_no(row, "低保户", get("dibao")))
    row.five_guarantee = bool(yes_no(row, "五保户", get("five_guarantee")))
    row.labour_willing = yes_no(row, "劳动意愿", get("labour_willing"))


# what a clerk writes in a yes/no column (低保户 是/否, 劳动意愿 有/无); the drop-down offers 是/否
YES = frozenset({"是", "有", "愿意", "Y", "y", "1", "√", "TRUE", "true"})
NO = frozenset({"否", "无", "没有", "不愿意", "N", "n", "0", "×", "FALSE", "false"})
YES_NO = ("是", "否")


def yes_no(row: ParsedRow, header: str, value: str | None) -> bool | None:
    """A yes/no cell (None when empty), or a reason on the row naming what it accepts."""
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    row.reasons.append(f"{header}“{value}”应填写“是”或“否”（也可写有/无）")
    return None


def batch_labels(codes: list[str]) -> str:
    return "、".join(BATCH_LABELS.get(c, c) for c in codes)
