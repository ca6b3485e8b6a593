"""Typed dependencies of pairing's routes (defined once)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require_roles
from shared.clock import clock

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


def _today() -> date:
    # One place for "today" (the China date of the platform clock) so tests can pin it with
    # app.dependency_overrides or clock.frozen.
    return clock.today()


TodayDep = Annotated[date, Depends(_today)]
