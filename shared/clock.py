"""One clock for the whole platform: business dates are the date of the office's time zone.

A Chinese office works in Asia/Shanghai (UTC+8, no daylight saving). A notice that starts "today"
at 07:30 in Beijing starts on Beijing's date, although the container's UTC date is still the day
before. Every "today", every deadline and every quarter boundary is taken from this clock, never
from the host's date or its local time.

Use:

* ``clock.today()`` / ``clock.now()`` (aware, UTC) anywhere; routers may take ``ClockDep`` or
  ``TodayDep`` (the office date).
* ``configure(time_zone)`` once at start-up (a service's ``<SERVICE>_TIME_ZONE`` setting).
* ``with clock.frozen(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)): ...`` in tests (or
  ``clock.frozen(date(2017, 3, 1))``: noon of that office date); an OS process
  started by a test may pin its clock with ``JINGZHUN_CLOCK_FROZEN_AT=<ISO 8601 instant>``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends
from pydantic import PlainSerializer

__all__ = [
    "DEFAULT_TIME_ZONE",
    "Clock",
    "OfficeDateTime",
    "ClockDep",
    "TodayDep",
    "clock",
    "configure",
    "get_clock",
]

DEFAULT_TIME_ZONE = "Asia/Shanghai"
FROZEN_AT_ENV = "JINGZHUN_CLOCK_FROZEN_AT"


class Clock:
    """The time now (aware, UTC) and the business date in the configured zone."""

    def __init__(self, time_zone: str = DEFAULT_TIME_ZONE) -> None:
        self._zone = ZoneInfo(time_zone)
        self._frozen: datetime | None = None
        frozen = os.environ.get(FROZEN_AT_ENV)
        if frozen:
            self._frozen = _aware(datetime.fromisoformat(frozen))

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def set_zone(self, time_zone: str) -> None:
        self._zone = ZoneInfo(time_zone)

    def now(self) -> datetime:
        """The instant now, aware, in UTC (what timestamps are stored as)."""
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def local_now(self) -> datetime:
        """The wall-clock time of the office."""
        return self.now().astimezone(self._zone)

    def today(self) -> date:
        """The office's date: the date a clerk writes on a paper form right now."""
        return self.local_now().date()

    def local(self, instant: datetime) -> datetime:
        """A stored instant in the office's time, with its offset (naive instants are taken as UTC)."""
        return _aware(instant).astimezone(self._zone)

    def date_of(self, instant: datetime) -> date:
        """The office's date of a stored instant (naive instants are taken as UTC)."""
        return self.local(instant).date()

    def start_of(self, day: date) -> datetime:
        """The instant (UTC) at which ``day`` begins in the office's zone."""
        return datetime(day.year, day.month, day.day, tzinfo=self._zone).astimezone(UTC)

    @contextmanager
    def frozen(self, at: datetime | date) -> Iterator[Clock]:
        """Stop the clock at ``at`` for the block (tests); ``advance`` and ``freeze`` move it on.

        A date stands for noon of that day in the office's zone (a business date, nowhere near
        midnight); an instant is taken as it is.
        """
        before = self._frozen
        self._frozen = self._instant(at)
        try:
            yield self
        finally:
            self._frozen = before

    def advance(self, delta: timedelta) -> None:
        if self._frozen is None:
            raise RuntimeError("only a frozen clock can be advanced")
        self._frozen = self._frozen + delta

    def freeze(self, at: datetime | date) -> None:
        """Stop (or move) the clock at ``at`` until ``thaw``; tests' conftest thaws after each test."""
        self._frozen = self._instant(at)

    def thaw(self) -> None:
        self._frozen = None

    def _instant(self, at: datetime | date) -> datetime:
        if isinstance(at, datetime):
            return _aware(at)
        return datetime(at.year, at.month, at.day, 12, tzinfo=self._zone).astimezone(UTC)


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


clock = Clock()


def configure(time_zone: str) -> Clock:
    """Set the office's zone of this process's clock (once, at start-up)."""
    clock.set_zone(time_zone)
    return clock


def get_clock() -> Clock:
    return clock


def _in_office_time(instant: datetime) -> datetime:
    return clock.local(instant)


# An instant a person reads (when a signature was given): written in JSON in the office's time with
# its offset (2026-12-06T02:30:00+08:00, not 2026-12-05T18:30:00Z); the same instant, the same schema.
OfficeDateTime = Annotated[datetime, PlainSerializer(_in_office_time, return_type=datetime, when_used="json")]


async def business_today() -> date:
    """The office's date now (a route's ``TodayDep``); tests pin it with ``clock.frozen``. Async
    though it does no I/O: a plain def dependency runs in the thread pool (a hop per request)."""
    return clock.today()


ClockDep = Annotated[Clock, Depends(get_clock)]
TodayDep = Annotated[date, Depends(business_today)]
