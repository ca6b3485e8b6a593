"""Typed dependencies of the funds routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require_roles
from shared.clock import TodayDep

__all__ = ["Finance", "TodayDep"]


# Money moves only by finance officers (admin passes every role check).
Finance = Annotated[Principal, Depends(require_roles("finance"))]
