"""One builder for the identification walk of a candidate household (申请→评议→公示→确认→审批),
over the registry's HTTP API of an in-process app (the platform clock is frozen on each step's day).

    h = await candidate(c)
    await identify(c, h, clerk=REGISTRAR, approver=APPROVER)                 # registered today
    await identify(c, h, clerk=REGISTRAR, notice_from=day, until="notice")  # on its public notice
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, Literal

import httpx

from shared.clock import clock
from tests.support import auth

__all__ = ["confirm", "head_signature", "household_token", "identify", "notice_start", "on_day"]

HOUSEHOLDS = "/registry/v1/households"
Step = Literal["notice", "confirmation", "registration"]


@contextmanager
def on_day(day: date) -> Iterator[None]:
    """The platform clock stands at 10:00 Beijing time on ``day`` (the in-process app reads it):
    a household entered then has that creation date, so its identification dates may follow it."""
    with clock.frozen(clock.start_of(day) + timedelta(hours=10)):
        yield


def household_token(h: dict[str, Any]) -> dict[str, str]:
    """The household's own account (逐户签字确认): role household, subject = its id."""
    return auth("household", h["area_code"], sub=str(h["id"]), name="王大明")


def head_signature(h: dict[str, Any]) -> dict[str, Any]:
    head = next(m for m in h["members"] if m["relation"] == "head")
    return {"member_id": head["id"], "capacity": "head"}


async def confirm(client: httpx.AsyncClient, h: dict[str, Any]) -> httpx.Response:
    """The household signs its own confirmation (the head, with the household's account)."""
    return await client.post(
        f"{HOUSEHOLDS}/{h['id']}/confirmation", json=head_signature(h), headers=household_token(h)
    )


def notice_start() -> date:
    """A notice that began 10 days ago: its 7 days have run, so the household may confirm today."""
    return clock.today() - timedelta(days=10)


async def identify(
    client: httpx.AsyncClient,
    h: dict[str, Any],
    *,
    clerk: dict[str, str],
    approver: dict[str, str] | None = None,
    notice_from: date | None = None,
    until: Step = "registration",
) -> httpx.Response:
    """Walk candidate ``h`` as a village does: submitted for review and reviewed (held that day) the
    day before ``notice_from`` (default :func:`notice_start`), on public notice from
    ``notice_from``; then today the household's own signed confirmation and the registration by
    ``approver`` (default: the clerk). Stops after step ``until``; every step must answer 200; the
    last answer is returned. Enter ``h`` on the eve (``on_day``) so its dates may follow it."""
    start = notice_from or notice_start()
    eve = start - timedelta(days=1)
    base = f"{HOUSEHOLDS}/{h['id']}"
    for day, path, body in [
        (eve, "/review-submission", None),
        (eve, "/review", {"result": "approved", "held_on": eve.isoformat()}),
        (start, "/notice", {"starts_on": start.isoformat()}),
    ]:
        with on_day(day):
            r = await client.post(base + path, json=body, headers=clerk)
        assert r.status_code == 200, (path, r.text)
    if until == "notice":
        return r
    r = await confirm(client, h)
    assert r.status_code == 200, ("/confirmation", r.text)
    if until == "confirmation":
        return r
    r = await client.post(base + "/registration", headers=approver or clerk)
    assert r.status_code == 200, ("/registration", r.text)
    return r
