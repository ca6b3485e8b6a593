"""Notice windows and the board's wording: pure functions, no I/O.

An identification notice runs from its start for the policy's ``notice_min_days``, both ends
counted (a 7-day notice from the 1st runs the 1st-7th; confirmation is possible from the 8th,
identification.rules.notice_confirmable_on). An exit notice runs from the verified exit date to
``exit_notice_until`` (set by exits.service from the same policy field).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

__all__ = ["RECENT_DAYS", "REPORTING_LINE", "NoticeKind", "how_to_object", "identification_last_day", "shown"]

RECENT_DAYS = 30  # current=false: notices whose last day was within this many days before today


class NoticeKind(StrEnum):
    IDENTIFICATION = "identification"
    EXIT = "exit"


def identification_last_day(starts_on: date, min_days: int) -> date:
    return starts_on + timedelta(days=min_days - 1)


def shown(first_day: date, last_day: date, today: date, *, current: bool) -> bool:
    """current: today is within the window; otherwise: the window ended within RECENT_DAYS."""
    if current:
        return first_day <= today <= last_day
    return today - timedelta(days=RECENT_DAYS) <= last_day < today


# What the board tells the public about objecting (seed 004: 张榜公示接受群众及“两代表一委员”监督; an
# identification is confirmed only once objections are resolved; exits: 村委会…核实公示并退出帮扶)
# and where else to report (seed 002 十四: 12317扶贫监督举报平台, the supervision and reporting line).
_OBJECTING = {
    NoticeKind.IDENTIFICATION: ("对本户公示有异议的", "异议核实处理前不予确认"),
    NoticeKind.EXIT: ("对本户脱贫退出有异议的", "异议由村民委员会核实处理"),
}
REPORTING_LINE = "12317"


def how_to_object(
    village_name: str, township_name: str | None, last_day: date, kind: NoticeKind = NoticeKind.IDENTIFICATION
) -> str:
    """The sentence a clerk reads out or pins up under a notice (identification or exit)."""
    who, then = _OBJECTING[kind]
    where = f"{village_name}村民委员会"
    if township_name:
        where += f"或{township_name}人民政府（扶贫工作站）"
    return (
        f"{who}，请于{last_day.year}年{last_day.month}月{last_day.day}日前（含当日）"
        f"向{where}以书面或口头方式反映，并说明理由；{then}。"
        f"也可拨打扶贫监督举报电话{REPORTING_LINE}。"
    )
