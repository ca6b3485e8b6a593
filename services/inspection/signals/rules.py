"""Signals from other services (funds anomalies, pairing coverage gaps) become findings.

One finding per underlying problem: the producer gives a ``signal_key`` that stays the same
however often it re-detects the problem; we key findings by (source, signal_key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.inspection.findings.rules import deadline_for
from services.inspection.vocabulary import SIGNAL_SOURCES
from shared.household_status import HOUSEHOLD_STATUS_LABELS
from shared.money import yuan_zh

__all__ = ["FindingDraft", "Signal", "describe", "finding_for", "source_key"]


@dataclass(frozen=True)
class Signal:
    source: str  # "funds" | "pairing"
    signal_key: str
    kind: str
    area_code: str
    detail: str


@dataclass(frozen=True)
class FindingDraft:
    source_key: str
    area_code: str
    category: str
    severity: str
    title: str
    responsible_unit: str
    deadline: date


def source_key(source: str, signal_key: str) -> str:
    return f"{source}:{signal_key}"


# Who must put it right: the office that owns the money or the pairing in that area.
_RESPONSIBLE = {"funds": "扶贫资金主管部门", "pairing": "结对帮扶牵头单位"}


def finding_for(
    signal: Signal,
    received_on: date,
    categories: dict[str, tuple[str, str, str]],
    unknown: tuple[str, str],
    days_by_severity: dict[str, int],
) -> FindingDraft:
    category, severity, title = categories.get(signal.kind, (*unknown, signal.kind))
    source = SIGNAL_SOURCES.get(signal.source, signal.source)
    return FindingDraft(
        source_key=source_key(signal.source, signal.signal_key),
        area_code=signal.area_code,
        category=category,
        severity=severity,
        # The kind's words and where it came from read as a title (重复发放（资金监管预警）); the
        # detail goes to the description.
        title=f"{title}（{source}预警）",
        responsible_unit=_RESPONSIBLE.get(signal.source, signal.source),
        deadline=deadline_for(received_on, severity, days_by_severity),
    )


# The producers' detail members in a clerk's words (a member not listed keeps its name).
_DETAIL_LABELS = {
    "last_visit_on": "上次走访日期",
    "due_on": "应走访日期",
    "interval_days": "走访周期（天）",
    "status": "户状态",
    "staff": "现有专职人员（人）",
    "minimum": "至少应有（人）",
    "helped_county": "被帮扶县",
    "households": "结对户数",
    "cap": "上限（户）",
    "disbursement_id": "拨付编号",
    "duplicate_of": "与之重复的拨付编号",
    "household_id": "户编号",
    "beneficiary_kind": "受益对象类别",
    "beneficiary_id": "受益对象",
    "disbursed_fen": "已拨付",
    "entitlement_fen": "应享",
    "account": "账户",
    "idle_since": "闲置起始日期",
    "idle_days": "闲置天数",
    "payment_ids": "拨付编号",
}
# a household's status (户状态) in the registry's words, as every service says it
_VALUE_LABELS = {
    **HOUSEHOLD_STATUS_LABELS,
    "household": "贫困户",
    "village": "村",
    "project": "项目",
}


def _value(key: str, value: Any) -> str:
    if value is None:
        return "无"
    if key.endswith("_fen") and isinstance(value, int):
        return yuan_zh(value)
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v) for v in value)
    return _VALUE_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)


def describe(detail: object) -> str:
    """A signal's detail as a finding's description: text as sent, a small object as
    "标签：值；…" (None as 无, fen as 元), never raw JSON."""
    if detail is None:
        return ""
    if not isinstance(detail, Mapping):
        return str(detail)
    return "；".join(f"{_DETAIL_LABELS.get(str(k), str(k))}：{_value(str(k), v)}" for k, v in detail.items())
