"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.clock import TodayDep
from shared.pii import PiiCipher

__all__ = ["CipherDep", "TodayDep"]


def _cipher(request: Request) -> PiiCipher:
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
