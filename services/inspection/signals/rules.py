"""Signals from other services (funds anomalies, pairing coverage gaps) become findings.

One finding per underlying problem: the producer gives a ``signal_key`` that stays the same
however often it re-detects the problem; we key findings by (source, signal_key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.inspection.findings.rules import deadline_for
from services.inspection.vocabulary import SIGNAL_SOURCES

__all__ = ["FindingDraft", "Signal", "finding_for", "source_key"]


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
