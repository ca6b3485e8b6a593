"""Visit logs, the three household ledgers, offline batches and visit intervals. Pure functions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.pairing.vocabulary import BatchOutcome

__all__ = [
    "PairingSpan",
    "Refusal",
    "classify_record",
    "fingerprint",
    "is_overdue",
    "ledger_year_refusal",
    "next_visit_due",
    "visit_refusal",
]


@dataclass(frozen=True, slots=True)
class PairingSpan:
    """When a cadre was responsible for a household; ``ended_on`` None while still paired."""

    started_on: date
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a record is refused, in English and in the Chinese a cadre reads on the phone."""

    en: str
    zh: str

    def __str__(self) -> str:
        return self.en

    def told_in(self, language: str) -> str:
        return self.en if language == "en" else self.zh


UNKNOWN_HOUSEHOLD = Refusal(
    "the household is not known in your area",
    "您的辖区内没有这一户，请核对户编号（household_id）",
)


def visit_refusal(
    visited_on: date,
    *,
    spans: Sequence[PairingSpan],
    household_status: str | None,
    today: date,
    ledger_entry: bool = False,
) -> Refusal | None:
    """Why this visit (or ``ledger_entry``) cannot be logged, or None. A cadre logs visits only for
    days on which they were responsible for the household; a visit cannot be in the future."""
    if household_status is None:
        return UNKNOWN_HOUSEHOLD
    if visited_on > today:
        what, what_zh, done_zh = (
            ("ledger entry", "台账记录", "事后") if ledger_entry else ("visit", "走访", "走访后")
        )
        return Refusal(
            f"the {what} date {visited_on} is in the future",
            f"{what_zh}日期 {visited_on} 晚于今天（北京时间 {today}），请在{done_zh}再登记",
        )
    for span in spans:
        if span.started_on <= visited_on and (span.ended_on is None or visited_on <= span.ended_on):
            return None
    return Refusal(
        f"you were not paired with this household on {visited_on}",
        f"{visited_on}这天您没有与该户结对，不能登记这天的记录；请核对日期，或请扶贫办核实结对关系",
    )


def ledger_year_refusal(*, ledger: str, year: int, entry_on: date) -> Refusal | None:
    """A ledger's year cannot be after the entry's own year: work done and measures taken are
    written in their year; an exit plan (脱贫计划) may be written a year ahead (next year's, in
    December), no further."""
    ahead = 1 if ledger == "plan" else 0
    if year <= entry_on.year + ahead:
        return None
    last = entry_on.year + ahead
    return Refusal(
        f"the ledger year {year} is after {last}, the latest year an entry of {entry_on} may be for",
        f"台账年度{year}晚于{last}年：{entry_on}的记录最晚记入{last}年度"
        + ("（脱贫计划可提前一年）" if ahead else "（工作台账、帮扶措施记入当年）"),
    )


def fingerprint(record: Mapping[str, Any]) -> str:
    """A stable digest of a record's content, to tell a resend from a reused client id."""
    canonical = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def classify_record(
    *, stored_fingerprint: str | None, new_fingerprint: str, refusal: Refusal | str | None
) -> BatchOutcome:
    """What happens to one record of an offline batch: a known id with the same content is a
    duplicate (stored once), with other content a conflict; otherwise the rules decide."""
    if stored_fingerprint is not None:
        return BatchOutcome.DUPLICATE if stored_fingerprint == new_fingerprint else BatchOutcome.CONFLICT
    return BatchOutcome.REJECTED if refusal else BatchOutcome.STORED


def next_visit_due(*, last_visit_on: date | None, paired_since: date, interval_days: int) -> date:
    """The last day by which the next visit keeps the household within the interval."""
    last_contact = max(last_visit_on, paired_since) if last_visit_on else paired_since
    return last_contact + timedelta(days=interval_days)


def is_overdue(*, last_visit_on: date | None, paired_since: date, interval_days: int, today: date) -> bool:
    """Not visited within the interval: a visit exactly ``interval_days`` ago is still in time."""
    due = next_visit_due(last_visit_on=last_visit_on, paired_since=paired_since, interval_days=interval_days)
    return today > due
