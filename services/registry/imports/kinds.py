"""The import kinds besides the registration roll, as data: Chinese columns, the row rules, the
template's example row and drop-downs. Pure; the set-shaped checks are SQL (repository.py) and the
commit steps live in service.py.

- ``incomes``: a year's per-capita net income per household (the fields `PUT …/incomes` takes),
  the household named by 户编号 or by its head's resident ID, money in 元 with up to two decimals.
- ``dibao``: the 低保 roll civil affairs hands over (GBK CSV or XLSX), checked against registered
  members as `POST /dibao-cross-checks` does: each row 一致 / 未登记 / 不一致 (on the roll, but the
  household is not marked 低保 in the registry).
- ``village_incomes``: a village's collective operating income of a year (area_income).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from services.registry.imports.rules import StagedRow, check_household_key
from shared.resident_id import InvalidResidentId, make, normalise, validate
from shared.sheet_import import map_header

# (field, header as written, other headers accepted, required on every row)
ColumnSpec = tuple[str, str, tuple[str, ...], bool]

# what a dibao row's cross-check found, as the report says it
DIBAO_MATCHED = "一致"
DIBAO_NOT_REGISTERED = "未登记"
DIBAO_MISMATCH = "不一致：在低保名单上，但该户在建档立卡系统中未标记为低保户"
# The templates' example rows name a place of the demo data (areas/reference.py: 步栏村, Chishui town,
# Kaiping), so the example imports as it stands against the demo areas.
EXAMPLE_VILLAGE = "440783105201"
EXAMPLE_HOUSEHOLD = EXAMPLE_VILLAGE + "0001"


@dataclass
class KindRow(StagedRow):
    """One row of a non-registration kind, with every reason this row alone shows."""

    year: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportKind:
    code: str
    title_zh: str  # the roll's name: the template's sheet and file name
    columns: tuple[ColumnSpec, ...]
    parse: Callable[[Callable[[str], str | None], date], KindRow]
    example: Callable[[date], list[str]]
    # the header must hold at least one column of each group (fields)
    header_one_of: tuple[tuple[str, ...], ...] = ()
    choices: dict[str, list[str]] = field(default_factory=dict)
    outcome_header: str | None = None  # a second report column (the dibao cross-check's finding)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c[1] for c in self.columns)


def header_map(kind: ImportKind, header: list[str | None]) -> tuple[dict[str, int], list[str]]:
    """Field → column index, and what the header lacks (in Chinese)."""
    found, missing = map_header(kind.columns, header)
    titles = {c[0]: c[1] for c in kind.columns}
    for group in kind.header_one_of:
        if not any(f in found for f in group):
            missing.append("或".join(titles[f] for f in group))
    return found, missing


def yuan_to_fen(text: str) -> int | None:
    """元 as a clerk writes it (1234.5, 1,234.50, 1234.50元) → fen; None when it is no amount."""
    cleaned = text.replace(",", "").replace("，", "").removesuffix("元").strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", cleaned):
        return None
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation:
        return None


def _year(row: KindRow, text: str | None, today: date, *, first: int = 2014) -> None:
    if not text:
        row.reasons.append("年度不能为空")
    elif not re.fullmatch(r"[0-9]{4}", text) or not first <= int(text) <= today.year:
        row.reasons.append(f"年度“{text}”应为{first}年至今年之间的四位年份")
    else:
        row.year = int(text)


def _amount(row: KindRow, header: str, text: str | None, key: str) -> None:
    if not text:
        row.reasons.append(f"{header}不能为空")
        return
    fen = yuan_to_fen(text)
    if fen is None:
        row.reasons.append(f"{header}“{text}”不是有效金额，应写作以元为单位、最多两位小数的数字，如3560.50")
    elif fen > 10**13:
        row.reasons.append(f"{header}“{text}”过大，请核对单位（元）")
    else:
        row.data[key] = fen


def _resident_id(row: KindRow, text: str | None, today: date, *, header: str, required: bool) -> None:
    if not text:
        if required:
            row.reasons.append(f"{header}不能为空")
        return
    try:
        row.resident_id = validate(normalise(text), today=today).number
    except InvalidResidentId as exc:
        row.reasons.append(exc.zh)


def _parse_incomes(get: Callable[[str], str | None], today: date) -> KindRow:
    row = KindRow(household_key=get("household_key"))
    check_household_key(row, row.reasons)
    _resident_id(row, get("resident_id"), today, header="户主身份证号", required=False)
    if not row.household_key and not get("resident_id"):
        row.reasons.append("户编号和户主身份证号至少填写一项")
    _year(row, get("year"), today)
    _amount(row, "人均纯收入(元)", get("amount"), "per_capita_income_fen")
    return row


def _parse_dibao(get: Callable[[str], str | None], today: date) -> KindRow:
    row = KindRow(name=get("name"), area_code=get("area_code"))
    if not row.name:
        row.reasons.append("姓名不能为空")
    elif len(row.name) > 50:
        row.reasons.append("姓名最长50个字")
    _resident_id(row, get("resident_id"), today, header="身份证号", required=True)
    if row.area_code and not re.fullmatch(r"[0-9]{12}", row.area_code):
        row.reasons.append(f"行政区划代码“{row.area_code}”应为12位数字")
    return row


def _parse_village_incomes(get: Callable[[str], str | None], today: date) -> KindRow:
    row = KindRow(area_code=get("area_code"))
    if not row.area_code:
        row.reasons.append("村代码不能为空")
    elif not re.fullmatch(r"[0-9]{12}", row.area_code):
        row.reasons.append(f"村代码“{row.area_code}”应为12位数字")
    _year(row, get("year"), today, first=2013)
    _amount(row, "集体经济收入(元)", get("amount"), "collective_income_fen")
    return row


def _example_id() -> str:
    return make("440783", date(1968, 3, 9), 21, sex="male")


INCOMES = ImportKind(
    code="incomes",
    title_zh="家庭年人均纯收入",
    columns=(
        ("household_key", "户编号", ("户号",), False),
        ("resident_id", "户主身份证号", ("身份证号", "身份证号码"), False),
        ("year", "年度", ("年份", "收入年度"), True),
        ("amount", "人均纯收入(元)", ("人均纯收入", "人均纯收入（元）", "人均收入(元)"), True),
    ),
    parse=_parse_incomes,
    example=lambda today: [EXAMPLE_HOUSEHOLD, _example_id(), str(today.year - 1), "6830.50"],
    header_one_of=(("household_key", "resident_id"),),
)

DIBAO = ImportKind(
    code="dibao",
    title_zh="低保对象名册",
    columns=(
        ("name", "姓名", ("低保对象姓名", "户主姓名"), True),
        ("resident_id", "身份证号", ("身份证号码", "证件号码", "公民身份号码"), True),
        ("area_code", "行政区划代码", ("村代码",), False),
    ),
    parse=_parse_dibao,
    example=lambda today: ["王示例", _example_id(), EXAMPLE_VILLAGE],
    outcome_header="核对结果",
)

VILLAGE_INCOMES = ImportKind(
    code="village_incomes",
    title_zh="村集体经济收入",
    columns=(
        ("area_code", "村代码", ("行政区划代码",), True),
        ("year", "年度", ("年份",), True),
        ("amount", "集体经济收入(元)", ("集体经济收入", "集体经济收入（元）", "村集体经济收入(元)"), True),
    ),
    parse=_parse_village_incomes,
    example=lambda today: [EXAMPLE_VILLAGE, str(today.year - 1), "52000.00"],
)

KINDS: dict[str, ImportKind] = {k.code: k for k in (INCOMES, DIBAO, VILLAGE_INCOMES)}


def parse_row(kind: ImportKind, cells: list[str | None], columns: dict[str, int], *, today: date) -> KindRow:
    def get(name: str) -> str | None:
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    return kind.parse(get, today)
