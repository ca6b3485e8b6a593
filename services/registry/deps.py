"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from shared.clock import clock
from shared.pii import PiiCipher

__all__ = ["CipherDep", "TodayDep"]


def _cipher(request: Request) -> PiiCipher:
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


def _today() -> date:
    # One place for "today" (the China date of the platform clock) so tests can pin it with
    # app.dependency_overrides or clock.frozen.
    return clock.today()


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
TodayDep = Annotated[date, Depends(_today)]
