"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from shared.pii import PiiCipher

__all__ = ["CipherDep", "TodayDep"]


def _cipher(request: Request) -> PiiCipher:
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


def _today() -> date:
    # One place for "today" so tests can pin the date with app.dependency_overrides.
    return date.today()


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
TodayDep = Annotated[date, Depends(_today)]
