"""Public notices (公告公示) of a village's funds and projects: a notice period, objections, closure.

A notice of ``notice_days`` days published on day D runs D .. D + notice_days - 1 inclusive
("7天以上" includes exactly 7 days). Objections may be lodged while it runs; it can be closed only
after it has run its days and every objection is resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from shared.errors import Conflict, InvalidInput

__all__ = [
    "NoticeNotRunning",
    "NoticeStillRunning",
    "ObjectionsUnresolved",
    "can_close",
    "check_objection_allowed",
    "ends_on",
    "notice_state",
]


class NoticeStillRunning(Conflict):
    type_slug = "notice-still-running"
    title = "The public notice has not run its days yet"
    title_zh = "公示期未满"
    hint_zh = "等公示期满后再办理"
    hint_en = "Wait until the notice has run its days"


class NoticeNotRunning(Conflict):
    type_slug = "notice-not-running"
    title = "The public notice is not open for objections"
    title_zh = "公示不在异议期内"
    hint_zh = "公示期内才能提出异议"
    hint_en = "Objections are lodged while the notice runs"


class ObjectionsUnresolved(Conflict):
    type_slug = "objections-unresolved"
    title = "The public notice has unresolved objections"
    title_zh = "公示还有未处理的异议"
    hint_zh = "先处理完所有异议"
    hint_en = "Resolve every objection first"


class NoticeTooShort(InvalidInput):
    type_slug = "notice-too-short"
    title = "The notice period is shorter than the policy allows"
    title_zh = "公示期短于政策规定"
    hint_zh = "按政策规定的最短天数设置公示期"
    hint_en = "Set at least the policy's minimum days"


def ends_on(published_on: date, notice_days: int) -> date:
    return published_on + timedelta(days=notice_days - 1)


def check_notice_days(requested: int, minimum: int) -> None:
    if requested < minimum:
        raise NoticeTooShort(
            f"A notice must run at least {minimum} days; {requested} requested", minimum=minimum
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
        raise NoticeNotRunning(f"Objections are taken while the notice runs; it is {state}", state=state)


def can_close(
    *, published_on: date, notice_days: int, closed: bool, today: date, objection_statuses: Iterable[str]
) -> None:
    state = notice_state(published_on=published_on, notice_days=notice_days, closed=closed, today=today)
    if state == "closed":
        raise Conflict("The notice is already closed", detail_zh="该公示已结束")
    if state != "ended":
        raise NoticeStillRunning(
            f"The notice runs until {ends_on(published_on, notice_days).isoformat()}",
            ends_on=ends_on(published_on, notice_days).isoformat(),
        )
    if (open_count := sum(1 for s in objection_statuses if s == "open")) > 0:
        raise ObjectionsUnresolved(f"{open_count} objection(s) are still open", open_objections=open_count)
