"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.answers import AdminWrite, ConditionalWrite, conditional_write
from shared.auth import Admin, Principal, require_roles
from shared.clock import TodayDep
from shared.pii import CipherDep

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
Registrar = Annotated[Principal, Depends(_registrar)]
Approver = Annotated[Principal, Depends(require_roles("approver"))]
Decider = Annotated[Principal, Depends(require_roles("registrar", "approver"))]
Machine = Annotated[Principal, Depends(require_roles("service"))]
# A change under If-Match by a registrar (the session, the caller, If-Match, the response).
RegistrarWrite = Annotated[ConditionalWrite, Depends(conditional_write(_registrar))]
# Admin, AdminWrite, CipherDep, TodayDep: the platform's (shared.auth, shared.answers, shared.pii,
# shared.clock).
