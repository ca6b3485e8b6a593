"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.answers import ConditionalWrite, conditional_write
from shared.auth import Principal, require_roles
from shared.clock import TodayDep
from shared.pii import PiiCipher

__all__ = [
    "Admin",
    "AdminWrite",
    "Approver",
    "CipherDep",
    "Decider",
    "Machine",
    "Registrar",
    "RegistrarWrite",
    "TodayDep",
]

# The caller, refused (403) unless one of its roles is named.
_registrar = require_roles("registrar")
_admin = require_roles("admin")
Registrar = Annotated[Principal, Depends(_registrar)]
Approver = Annotated[Principal, Depends(require_roles("approver"))]
Decider = Annotated[Principal, Depends(require_roles("registrar", "approver"))]
Admin = Annotated[Principal, Depends(_admin)]
Machine = Annotated[Principal, Depends(require_roles("service"))]
# A change under If-Match by each of them (the session, the caller, If-Match, the response).
RegistrarWrite = Annotated[ConditionalWrite, Depends(conditional_write(_registrar))]
AdminWrite = Annotated[ConditionalWrite, Depends(conditional_write(_admin))]


async def _cipher(request: Request) -> PiiCipher:  # async: a sync dependency runs in a thread
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
