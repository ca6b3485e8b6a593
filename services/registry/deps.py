"""Typed dependencies of the registry's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.answers import AdminWrite, ConditionalWrite, DatedStep, conditional_write, dated_step
from shared.auth import Admin, Principal, require_roles
from shared.clock import TodayDep
from shared.pii import CipherDep

__all__ = [
    "Admin",
    "AdminWrite",
    "Approver",
    "ApproverStep",
    "CipherDep",
    "Decider",
    "DeciderStep",
    "Machine",
    "Registrar",
    "RegistrarStep",
    "RegistrarWrite",
    "SignedInStep",
    "TodayDep",
]

# The caller, refused (403) unless one of its roles is named.
_registrar = require_roles("registrar")
_approver = require_roles("approver")
_decider = require_roles("registrar", "approver")
Registrar = Annotated[Principal, Depends(_registrar)]
Approver = Annotated[Principal, Depends(_approver)]
Decider = Annotated[Principal, Depends(_decider)]
Machine = Annotated[Principal, Depends(require_roles("service"))]
# A change under If-Match by a registrar (the session, the caller, If-Match, the response).
RegistrarWrite = Annotated[ConditionalWrite, Depends(conditional_write(_registrar))]
# A step dated by the office's calendar (the session, the caller, today), by the role(s) it names;
# SignedInStep: by any signed-in caller (the service checks what they may do).
RegistrarStep = Annotated[DatedStep, Depends(dated_step(_registrar))]
ApproverStep = Annotated[DatedStep, Depends(dated_step(_approver))]
DeciderStep = Annotated[DatedStep, Depends(dated_step(_decider))]
SignedInStep = Annotated[DatedStep, Depends(dated_step())]
# Admin, AdminWrite, CipherDep, TodayDep: the platform's (shared.auth, shared.answers, shared.pii,
# shared.clock).
