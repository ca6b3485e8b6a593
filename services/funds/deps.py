"""Typed dependencies of the funds routes (defined once)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require_roles

__all__ = ["Finance", "TodayDep"]


def _today() -> date:
    # One place for "today" so tests can pin the date with app.dependency_overrides.
    return date.today()


TodayDep = Annotated[date, Depends(_today)]
# Money moves only by finance officers (admin passes every role check).
Finance = Annotated[Principal, Depends(require_roles("finance"))]
