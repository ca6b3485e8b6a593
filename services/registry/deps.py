"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.auth import Principal, require_roles
from shared.clock import TodayDep
from shared.pii import PiiCipher

__all__ = ["Admin", "Approver", "CipherDep", "Decider", "Machine", "Registrar", "TodayDep"]

# The caller, refused (403) unless one of its roles is named.
Registrar = Annotated[Principal, Depends(require_roles("registrar"))]
Approver = Annotated[Principal, Depends(require_roles("approver"))]
Decider = Annotated[Principal, Depends(require_roles("registrar", "approver"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Machine = Annotated[Principal, Depends(require_roles("service"))]


async def _cipher(request: Request) -> PiiCipher:  # async: a sync dependency runs in a thread
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
