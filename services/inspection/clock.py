"""Business dates are China dates (UTC+8, no daylight saving): a deadline of 31 March ends at
midnight in Beijing, not in London."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(CHINA).date()
