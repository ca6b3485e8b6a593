"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request

from shared.pii import PiiCipher

__all__ = ["CipherDep", "TodayDep", "cipher_for"]


@lru_cache(maxsize=4)
def cipher_for(key: str) -> PiiCipher:
    return PiiCipher(key)


def _cipher(request: Request) -> PiiCipher:
    return cipher_for(request.app.state.settings.pii_key)


def _today() -> date:
    # One place for "today" so tests can pin the date with app.dependency_overrides.
    return date.today()


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
TodayDep = Annotated[date, Depends(_today)]
