"""Pure rules of the 结对帮扶名单 import: the columns, one row's own checks, and the whole file's
checks over what the database knows (``Ledger``) — the same rules as one-by-one entry.

One row is one pairing of a helper with a household. The helper is named by 工号 (the login of
``POST /helpers``'s ``user_sub``) or, without one, by 姓名 and 单位: rows naming the same helper
share it; a 工号 already in the system is that helper, anything else is a new helper created on
commit (in 所在地区代码, or the household's village when that is blank). The household is named by
its 户编号 as the registry gave it. Each pairing is then checked by ``pairings.rules.check_open``
against the database's active pairings plus those of the rows above it, so a cadre's cap, one
cadre per household and the other kind rules hold across the file as they do one request at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.pairing.errors import HouseholdNotPairable, PairingRuleViolated
from services.pairing.helpers.rules import IN_SYSTEM, PROFESSIONALS, Helper
from services.pairing.pairings.rules import ActivePairing, Target, check_open
from services.pairing.policies.presets import PairingPolicy
from services.pairing.vocabulary import HelperKind, PairingKind
from shared.areas import LEVEL_ZH
from shared.sheet_import import ColumnSpec, parse_date

__all__ = [
    "COLUMNS",
    "HEADERS",
    "HELPER_KINDS",
    "LEVELS",
    "PAIRING_KINDS",
    "Checked",
    "Ledger",
    "Row",
    "example",
    "parse_row",
]

COLUMNS: tuple[ColumnSpec, ...] = (
    ("name", "干部姓名", ("姓名", "帮扶责任人", "帮扶责任人姓名"), True),
    ("user_sub", "工号", ("账号", "登录账号"), False),
    ("unit", "单位", ("工作单位", "帮扶单位"), False),
    ("level", "单位层级", ("层级", "级别"), False),
    ("helper_kind", "帮扶力量类别", ("人员类别",), False),
    ("area_code", "所在地区代码", ("干部所在地区代码",), False),
    ("pairing_kind", "帮扶类型", ("结对方式",), False),
    ("household_number", "户编号", ("户号", "帮扶户户编号"), True),
    ("started_on", "开始日期", ("结对日期", "结对开始日期"), False),
)
HEADERS = tuple(c[1] for c in COLUMNS)
# the pairings a roll of cadres and households holds; the other kinds pair with villages or counties
PAIRING_KINDS = (PairingKind.CADRE_HOUSEHOLD, PairingKind.PROFESSIONAL_HOUSEHOLD)
HELPER_KINDS = tuple(k for k in HelperKind if k in IN_SYSTEM or k in PROFESSIONALS)
LEVELS = LEVEL_ZH  # 单位层级 as the roll writes it
# other ways a roll writes the same levels (省级, 县区, 乡, 镇 …): read as the level they name
LEVEL_WORDS: dict[str, str] = {
    "省级": "province",
    "市级": "city",
    "地级": "city",
    "州": "city",
    "县级": "county",
    "区": "county",
    "县区": "county",
    "县级市": "county",
    "乡": "township",
    "镇": "township",
    "乡级": "township",
    "镇级": "township",
    "乡镇级": "township",
    "村级": "village",
}
_AREA = re.compile(r"[0-9]{12}")


@dataclass
class Row:
    """One row as written, with every reason this row alone shows."""

    row_no: int
    name: str | None = None
    user_sub: str | None = None  # 工号
    unit: str | None = None
    pairing_kind: PairingKind = PairingKind.CADRE_HOUSEHOLD
    level: str | None = None
    helper_kind: HelperKind | None = None  # blank: the known helper's kind, or 干部 for a new one
    area_code: str | None = None
    household_number: str | None = None
    started_on: date | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def helper_key(self) -> str:
        """Rows with the same key name the same helper."""
        return f"工号:{self.user_sub}" if self.user_sub else f"姓名:{self.name}|{self.unit or ''}"

    def data(self) -> dict[str, Any]:
        """The parsed row as staged (JSON), read back by ``from_data`` on commit."""
        texts = {
            k: getattr(self, k)
            for k in ("name", "user_sub", "unit", "level", "area_code", "household_number")
        }
        return texts | {
            "helper_kind": self.helper_kind.value if self.helper_kind else None,
            "pairing_kind": self.pairing_kind.value,
            "started_on": self.started_on.isoformat() if self.started_on else None,
        }

    @classmethod
    def from_data(cls, row_no: int, data: dict[str, Any]) -> Row:
        started = data.get("started_on")
        return cls(
            row_no=row_no,
            name=data["name"],
            user_sub=data.get("user_sub"),
            unit=data.get("unit"),
            level=data.get("level"),
            helper_kind=HelperKind(data["helper_kind"]) if data.get("helper_kind") else None,
            area_code=data.get("area_code"),
            pairing_kind=PairingKind(data["pairing_kind"]),
            household_number=data["household_number"],
            started_on=date.fromisoformat(started) if started else None,
        )


def _choice(row: Row, header: str, text: str, allowed: dict[str, str]) -> str | None:
    """A code from its code or Chinese label; else a reason naming the allowed labels."""
    for code, label in allowed.items():
        if text in (code, label):
            return code
    row.reasons.append(f"{header}“{text}”不在可选值中（{'、'.join(allowed.values())}）")
    return None


def _started_on(row: Row, text: str | None, today: date) -> None:
    if not text:  # blank: the pairing starts on the day of the commit, not of this check
        return
    on = parse_date(text)
    if on is None:
        row.reasons.append(f"开始日期“{text}”不是有效日期，应写作2026-12-03")
    elif on > today:
        row.reasons.append(
            f"开始日期{on.isoformat()}晚于今天（{today.isoformat()}），结对不能从将来的日期开始"
        )
    else:
        row.started_on = on


def parse_row(row_no: int, get: Callable[[str], str | None], *, today: date) -> Row:
    """One row's own checks (lengths, vocabularies, dates); the file's checks are ``Ledger``'s."""
    row = Row(row_no=row_no, name=get("name"), user_sub=get("user_sub"), unit=get("unit"))
    for value, header, most in (
        (row.name, "干部姓名", 200),
        (row.user_sub, "工号", 100),
        (row.unit, "单位", 200),
    ):
        if value and len(value) > most:
            row.reasons.append(f"{header}最长{most}个字")
    if not row.name:
        row.reasons.append("干部姓名不能为空")
    if level := get("level"):
        row.level = LEVEL_WORDS.get(level) or _choice(row, "单位层级", level, LEVELS)
    if kind := get("helper_kind"):
        code = _choice(row, "帮扶力量类别", kind, {k.value: k.label for k in HELPER_KINDS})
        row.helper_kind = HelperKind(code) if code else None
    if kind := get("pairing_kind"):
        code = _choice(row, "帮扶类型", kind, {k.value: k.label for k in PAIRING_KINDS})
        row.pairing_kind = PairingKind(code) if code else row.pairing_kind
    if (area := get("area_code")) and not _AREA.fullmatch(area):
        row.reasons.append(f"所在地区代码“{area}”应为12位数字")
    else:
        row.area_code = area
    row.household_number = get("household_number")
    if not row.household_number:
        row.reasons.append("户编号不能为空")
    _started_on(row, get("started_on"), today)
    return row


def example(today: date, village_code: str, household_number: str) -> list[str]:
    """The template's example row (a synthetic cadre)."""
    return [
        "王示例",
        "kp-cadre-0001",
        "开平市农业农村局",
        LEVELS["county"],
        HelperKind.CADRE.label,
        village_code,
        PairingKind.CADRE_HOUSEHOLD.label,
        household_number,
        today.isoformat(),
    ]


@dataclass(frozen=True)
class Checked:
    """A row the ledger accepted: the helper (an id of the database, or ``None`` for a helper the
    commit creates under ``helper_key``), the household and the pairing's start."""

    row: Row
    helper_id: str | None
    helper_area: str
    household_id: str
    household_area: str


@dataclass
class Ledger:
    """The file's checks, row after row in order, over what the database knows (filled in by the
    service chunk by chunk) and what the rows above accepted."""

    scope: str  # the uploader's area prefix
    today: date
    policy: Callable[[str], PairingPolicy]
    helpers: dict[str, tuple[Helper, str]] = field(default_factory=dict)  # by 工号: (helper, its name)
    households: dict[str, Target] = field(default_factory=dict)  # by 户编号 (Target.id: its uuid)
    pairings: dict[str, list[ActivePairing]] = field(default_factory=dict)  # by helper and by target
    _first: dict[str, tuple[int, str]] = field(default_factory=dict)  # helper key → (row, name)
    _new: dict[str, Helper] = field(default_factory=dict)  # helper key → the helper to be created
    _seen: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def check(self, row: Row) -> Checked | None:
        """The row accepted, or None with its reasons added (in Chinese)."""
        if row.reasons:
            return None
        household = self._household(row)
        helper = self._helper(row, household) if household else None
        if household is None or helper is None:
            return None
        key = (row.helper_key, household.id, row.pairing_kind.value)
        if (first := self._seen.get(key)) is not None:
            row.reasons.append(f"与本文件第{first}行重复（同一帮扶责任人、同一户、同一帮扶类型）")
            return None
        try:
            check_open(
                row.pairing_kind,
                helper,
                household,
                helper_pairings=self.pairings.get(helper.id, []),
                target_pairings=self.pairings.get(household.id, []),
                policy=self.policy(household.area_code),
                today=self.today,
            )
        except (PairingRuleViolated, HouseholdNotPairable) as exc:
            reason = exc.told_in("zh")[1]
            row.reasons.append(
                reason.replace(helper.id, row.name or "").replace(household.id, household_label(row))
            )
            return None
        self._seen[key] = row.row_no
        opened = ActivePairing(f"row-{row.row_no}", row.pairing_kind, helper.id, household.id)
        self.pairings.setdefault(helper.id, []).append(opened)
        self.pairings.setdefault(household.id, []).append(opened)
        known = row.helper_key not in self._new
        return Checked(row, helper.id if known else None, helper.area_code, household.id, household.area_code)

    def _household(self, row: Row) -> Target | None:
        household = self.households.get(row.household_number or "")
        if household is None:
            row.reasons.append(
                f"户编号{row.household_number}在结对帮扶系统中没有，须先在建档立卡系统中登记该户"
            )
        elif not household.area_code.startswith(self.scope):
            row.reasons.append(f"户编号{row.household_number}的户（{household.area_code}）不在您的辖区内")
            return None
        return household

    def _helper(self, row: Row, household: Target) -> Helper | None:
        first = self._first.setdefault(row.helper_key, (row.row_no, row.name or ""))
        if first[1] != row.name:
            row.reasons.append(f"工号{row.user_sub}在本文件第{first[0]}行是“{first[1]}”，与本行姓名不一致")
            return None
        known = self.helpers.get(row.user_sub or "")
        if known is not None:
            return self._known_helper(row, known)
        if (new := self._new.get(row.helper_key)) is not None:
            if row.helper_kind not in (None, new.kind):
                row.reasons.append(f"同一帮扶责任人在本文件第{first[0]}行的帮扶力量类别是“{new.kind.label}”")
                return None
            return new
        area = row.area_code or household.area_code
        if not area.startswith(self.scope):
            row.reasons.append(f"所在地区代码{area}不在您的辖区内")
            return None
        kind = row.helper_kind or HelperKind.CADRE
        helper = Helper(id=f"new-{row.row_no}", kind=kind, area_code=area, level=row.level)
        self._new[row.helper_key] = helper
        return helper

    def _known_helper(self, row: Row, known: tuple[Helper, str]) -> Helper | None:
        view, name = known
        if not view.area_code.startswith(self.scope):
            row.reasons.append(f"工号{row.user_sub}的帮扶责任人不在您的辖区内")
        elif name != row.name:
            row.reasons.append(f"工号{row.user_sub}在系统中是“{name}”，与本行姓名“{row.name}”不一致")
        elif row.helper_kind not in (None, view.kind):
            row.reasons.append(f"工号{row.user_sub}在系统中的帮扶力量类别是“{view.kind.label}”")
        else:
            return view
        return None


def household_label(row: Row) -> str:
    return f"户{row.household_number}"
