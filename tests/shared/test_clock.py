"""The platform clock: business dates are Beijing dates whatever the host's zone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from shared.clock import Clock, TodayDep, clock
from shared.settings import REPO_ROOT

EVENING_UTC = datetime(2026, 12, 3, 20, 20, tzinfo=UTC)  # 04:20 on 4 December in Beijing


def test_between_midnight_and_eight_in_beijing_the_date_is_already_tomorrow() -> None:
    with clock.frozen(EVENING_UTC):
        assert clock.today() == date(2026, 12, 4)
        assert clock.now() == EVENING_UTC
        assert clock.local_now().hour == 4
        clock.advance(timedelta(hours=3, minutes=39))  # 07:59 Beijing, 23:59 UTC
        assert clock.today() == date(2026, 12, 4)
    with clock.frozen(datetime(2026, 12, 3, 15, 59, tzinfo=UTC)):  # 23:59 in Beijing
        assert clock.today() == date(2026, 12, 3)


def test_stored_instants_and_day_starts_convert_in_the_office_zone() -> None:
    assert clock.date_of(EVENING_UTC) == date(2026, 12, 4)
    assert clock.date_of(datetime(2026, 12, 3, 20, 20)) == date(2026, 12, 4)  # naive = UTC
    assert clock.start_of(date(2026, 12, 4)) == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def test_a_deployment_may_set_another_zone() -> None:
    urumqi = Clock("Asia/Urumqi")  # UTC+6
    with urumqi.frozen(EVENING_UTC):
        assert urumqi.today() == date(2026, 12, 4)
    with urumqi.frozen(datetime(2026, 12, 3, 17, 30, tzinfo=UTC)):
        assert urumqi.today() == date(2026, 12, 3)  # 23:30 there, already the 4th in Beijing
        assert clock.date_of(urumqi.now()) == date(2026, 12, 4)


def test_freezing_a_date_pins_noon_of_that_office_day_and_thaw_restores_the_running_clock() -> None:
    clock.freeze(date(2017, 3, 1))
    assert clock.now() == datetime(2017, 3, 1, 4, 0, tzinfo=UTC)
    assert clock.today() == date(2017, 3, 1)
    clock.thaw()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.asyncio
async def test_a_route_taking_today_gets_the_office_date() -> None:
    app = FastAPI()

    @app.get("/today")
    async def today(day: TodayDep) -> dict[str, str]:
        return {"today": day.isoformat()}

    with clock.frozen(EVENING_UTC):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.get("/today")).json() == {"today": "2026-12-04"}


@pytest.mark.parametrize("service", ["registry", "funds", "pairing", "inspection"])
def test_a_process_pinned_by_the_environment_and_its_host_zone_do_not_matter(service: str) -> None:
    """A container at UTC (or anywhere) takes Beijing's date; JINGZHUN_CLOCK_FROZEN_AT pins it."""
    code = (
        f"from services.{service}.app import create_app\n"
        "from shared.clock import clock\n"
        "create_app()\n"
        "print(clock.today().isoformat(), clock.now().isoformat())\n"
    )
    env = {**os.environ, "TZ": "America/Los_Angeles", "JINGZHUN_CLOCK_FROZEN_AT": EVENING_UTC.isoformat()}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["2026-12-04", "2026-12-03T20:20:00+00:00"]
