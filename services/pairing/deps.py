"""Typed dependencies of pairing's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require_roles
from shared.clock import TodayDep

__all__ = ["Manager", "Office", "Reader", "TodayDep", "VisitWriter"]

# Poverty offices (registrar, approver) manage helpers and pairings; admin always may.
Manager = Annotated[Principal, Depends(require_roles("registrar", "approver"))]
# Who may read pairing data; a cadre's reads are narrowed to their own households.
Reader = Annotated[
    Principal, Depends(require_roles("registrar", "approver", "inspector", "auditor", "evaluator", "cadre"))
]
# Offices that read an area's pairing data as a whole (a cadre sees only their own households).
Office = Annotated[
    Principal, Depends(require_roles("registrar", "approver", "inspector", "auditor", "evaluator"))
]
# Cadres record their own visits; offices may record on a cadre's behalf (paper handbooks).
VisitWriter = Annotated[Principal, Depends(require_roles("cadre", "registrar", "approver"))]
