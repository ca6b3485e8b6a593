"""Public notices (公告公示) of a village's funds and projects: a notice period, objections, closure.

A notice of ``notice_days`` days published on day D runs D .. D + notice_days - 1 inclusive
("7天以上" includes exactly 7 days). Objections may be lodged while it runs; it can be closed only
after it has run its days and every objection is resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from services.funds.errors import (
    NoticeAlreadyClosed,
    NoticeNotRunning,
    NoticeStillRunning,
    NoticeTooShort,
    ObjectionsUnresolved,
)
from services.funds.vocabulary import NOTICE_STATES

__all__ = [
    "can_close",
    "check_objection_allowed",
    "ends_on",
    "notice_state",
]


def ends_on(published_on: date, notice_days: int) -> date:
    return published_on + timedelta(days=notice_days - 1)


def check_notice_days(requested: int, minimum: int) -> None:
    if requested < minimum:
        raise NoticeTooShort(
            f"A notice must run at least {minimum} days; {requested} requested",
            detail_zh=f"公示期至少{minimum}天，申请的是{requested}天",
            minimum=minimum,
        )


def notice_state(*, published_on: date, notice_days: int, closed: bool, today: date) -> str:
    if closed:
        return "closed"
    if today < published_on:
        return "scheduled"
    return "running" if today <= ends_on(published_on, notice_days) else "ended"


def check_objection_allowed(*, published_on: date, notice_days: int, closed: bool, today: date) -> None:
    state = notice_state(published_on=published_on, notice_days=notice_days, closed=closed, today=today)
    if state != "running":
        raise NoticeNotRunning(
            f"Objections are taken while the notice runs; it is {state}",
            detail_zh=f"公示期内才能提出异议；该公示当前状态：{NOTICE_STATES.get(state, state)}",
            state=state,
        )


def can_close(
    *, published_on: date, notice_days: int, closed: bool, today: date, objection_statuses: Iterable[str]
) -> None:
    state = notice_state(published_on=published_on, notice_days=notice_days, closed=closed, today=today)
    if state == "closed":
        raise NoticeAlreadyClosed("The notice is already closed", detail_zh="该公示已结束")
    if state != "ended":
        raise NoticeStillRunning(
            f"The notice runs until {ends_on(published_on, notice_days).isoformat()}",
            detail_zh=f"公示期到{ends_on(published_on, notice_days).isoformat()}为止，期满后才能结束",
            ends_on=ends_on(published_on, notice_days).isoformat(),
        )
    if (open_count := sum(1 for s in objection_statuses if s == "open")) > 0:
        raise ObjectionsUnresolved(
            f"{open_count} objection(s) are still open",
            detail_zh=f"还有{open_count}条异议未处理",
            open_objections=open_count,
        )
