"""Signals from other services (funds anomalies, pairing coverage gaps) become findings.

One finding per underlying problem: the producer gives a ``signal_key`` that stays the same
however often it re-detects the problem; we key findings by (source, signal_key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.inspection.findings.rules import deadline_for

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
_RESPONSIBLE = {"funds": "poverty alleviation office (funds)", "pairing": "pairing office"}


def finding_for(
    signal: Signal,
    received_on: date,
    categories: dict[str, tuple[str, str]],
    unknown: tuple[str, str],
    days_by_severity: dict[str, int],
) -> FindingDraft:
    category, severity = categories.get(signal.kind, unknown)
    return FindingDraft(
        source_key=source_key(signal.source, signal.signal_key),
        area_code=signal.area_code,
        category=category,
        severity=severity,
        # The kind reads as a title ("duplicate payment"); the detail goes to the description.
        title=f"{signal.kind.replace('_', ' ').capitalize()} ({signal.source} signal)",
        responsible_unit=_RESPONSIBLE.get(signal.source, signal.source),
        deadline=deadline_for(received_on, severity, days_by_severity),
    )
