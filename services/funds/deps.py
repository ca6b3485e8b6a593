"""Typed dependencies of the funds routes (defined once)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require_roles
from shared.clock import clock

__all__ = ["Finance", "TodayDep"]


def _today() -> date:
    # One place for "today" (the China date of the platform clock) so tests can pin it with
    # app.dependency_overrides or clock.frozen.
    return clock.today()


TodayDep = Annotated[date, Depends(_today)]
# Money moves only by finance officers (admin passes every role check).
Finance = Annotated[Principal, Depends(require_roles("finance"))]
