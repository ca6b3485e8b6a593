"""Dates a clerk types: never in the future, never before the record they belong to, and late
entries (补录) beyond a small policy tolerance only with a reason and a higher role.

A clerk enters the date on which something happened (the village review was held, the notice was
pinned up, an objection was lodged, the fund list was published). Such a date starts or counts a
waiting period, so a date typed in the past can shorten a period that must run in full (a 7-day
public notice "started" 9 days ago is over the moment it is entered). The rules here are pure;
each service passes its own "today" (``shared.clock``, the China date), the date of the record the
entry belongs to, and its policy's tolerance, and keeps the returned :class:`LateEntry` (audited
and shown where the public sees the notice).

Status codes (problem+json): a date in the future is 422 ``date-in-future`` (no clerk can know
it; like a move dated after today); a date before the record it belongs to is 409
``date-before-record``; a late entry beyond the tolerance without a reason or without a higher role
is 409 ``late-entry-refused`` with ``missing`` = the reason and/or the role.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from shared.errors import Conflict, InvalidInput

__all__ = [
    "LATE_ENTRY_ROLES",
    "DateBeforeRecord",
    "DateInFuture",
    "LateEntry",
    "LateEntryRefused",
    "check_entered_date",
    "check_not_future",
    "check_year_begun",
]

# Roles that may enter a date older than the tolerance (with a reason); admin passes everywhere.
LATE_ENTRY_ROLES = frozenset({"approver", "admin"})
_MISSING_ZH = {"reason": "须填写补录原因", "role": "须由审批人（或管理员）提交"}


class DateInFuture(InvalidInput):
    type_slug = "date-in-future"
    title_zh = "日期不能晚于今天"
    hint_zh = "请填写已经发生的日期（北京时间）"
    hint_en = "Enter a date that has passed (China date)"
    title = "The date lies in the future"


class DateBeforeRecord(Conflict):
    type_slug = "date-before-record"
    title_zh = "日期早于记录建立日期"
    hint_zh = "所填日期不能早于该记录建立之日，请核对"
    hint_en = "The date may not precede the record it belongs to"
    title = "The date lies before the record it belongs to"


class LateEntryRefused(Conflict):
    type_slug = "late-entry-refused"
    title_zh = "补录须说明原因并由审批人办理"
    hint_zh = "超过允许天数的补录须填写补录原因，并由审批人（或管理员）提交"
    hint_en = "A late entry needs a reason and the approver role"
    title = "A date this far back needs a reason and a higher role"


@dataclass(frozen=True, slots=True)
class LateEntry:
    """A date entered more than the tolerance after it happened (补录)."""

    field: str
    entered_date: date
    recorded_on: date
    days_late: int
    tolerance_days: int
    reason: str


def _entered_zh(label_zh: str) -> str:
    """The date a form field holds, as a refusal leads with it: a label that already names a date
    (民主评议日期) stands alone; another (an action: 民主评议) says 民主评议填写的日期."""
    return label_zh if label_zh.endswith("日期") else f"{label_zh}填写的日期"


def check_not_future(*, field: str, on: date, today: date, label_zh: str) -> None:
    """Refuse (422 ``date-in-future``) a date after ``today`` (the China date): a thing is recorded
    once it has happened. For dates with no waiting period behind them (a member's leaving, a debt),
    where a late entry needs no reason."""
    if on > today:
        raise DateInFuture(
            f"{field} {on} lies after today ({today}, China date); record it once it has happened",
            detail_zh=f"{_entered_zh(label_zh)} {on} 晚于今天（北京时间 {today}），请在事情发生后再登记",
            field=field,
            entered=on.isoformat(),
            today=today.isoformat(),
        )


def check_year_begun(*, year: int, today: date, doing: str, doing_zh: str) -> None:
    """Refuse (422 ``date-in-future``, ``field`` = year) a year after ``today``'s (the China date):
    what ``doing`` names (assess a year, ask to exit for it) waits until the year has begun."""
    if year > today.year:
        raise DateInFuture(
            f"year {year} has not begun (today is {today}, China date); {doing} once it has",
            detail_zh=f"{year}年还没有开始（今天是北京时间 {today}），{doing_zh}，请核对年度",
            field="year",
            entered=str(year),
            today=today.isoformat(),
        )


def check_entered_date(
    *,
    field: str,
    on: date,
    today: date,
    label_zh: str,
    not_before: date | None,
    not_before_what: str,
    tolerance_days: int,
    not_before_what_zh: str = "所属记录的日期",
    reason: str | None,
    roles: Collection[str],
) -> LateEntry | None:
    """Refuse a date in the future or before ``not_before``; a date more than ``tolerance_days``
    before ``today`` is a late entry: allowed only with a reason and one of LATE_ENTRY_ROLES, and
    returned so the caller records it. None: an ordinary entry. ``label_zh``: the date as the clerk's
    form names it (民主评议日期), for the Chinese detail."""
    name = _entered_zh(label_zh)
    entry = {"field": field, "entered": on.isoformat()}  # what every refusal names
    check_not_future(field=field, on=on, today=today, label_zh=label_zh)
    if not_before is not None and on < not_before:
        raise DateBeforeRecord(
            f"{field} {on} lies before {not_before_what} ({not_before}); it cannot have happened earlier",
            detail_zh=f"{name} {on} 早于{not_before_what_zh}（{not_before}），不可能更早发生，请核对",
            **entry,
            not_before=not_before.isoformat(),
            not_before_what=not_before_what,
            not_before_what_label=not_before_what_zh,  # the same in the clerk's words
        )
    days_late = (today - on).days
    if days_late <= tolerance_days:
        return None
    missing = []
    if not (reason and reason.strip()):
        missing.append("reason")
    if not LATE_ENTRY_ROLES.intersection(roles):
        missing.append("role")
    if missing:
        raise LateEntryRefused(
            f"{field} {on} is {days_late} days back; more than {tolerance_days} days back is a late "
            f"entry (补录) that needs a reason and the role {' or '.join(sorted(LATE_ENTRY_ROLES))}"
            f" (missing: {', '.join(missing)})",
            detail_zh=f"{name} {on} 已过去{days_late}天，超过允许的{tolerance_days}天，属于补录："
            + "、".join(_MISSING_ZH[m] for m in missing),
            **entry,
            days_late=days_late,
            tolerance_days=tolerance_days,
            missing=missing,
            roles_allowed=sorted(LATE_ENTRY_ROLES),
        )
    assert reason is not None
    return LateEntry(
        field=field,
        entered_date=on,
        recorded_on=today,
        days_late=days_late,
        tolerance_days=tolerance_days,
        reason=reason.strip(),
    )
