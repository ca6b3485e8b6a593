"""Typed dependencies of the funds routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.answers import ConditionalWrite, conditional_write
from shared.auth import Principal, require_roles
from shared.clock import TodayDep

__all__ = ["Finance", "FinanceWrite", "TodayDep"]


# Money moves only by finance officers (admin passes every role check).
_finance = require_roles("finance")
Finance = Annotated[Principal, Depends(_finance)]
# A change by a finance officer under If-Match (the session, the caller, If-Match, the response).
FinanceWrite = Annotated[ConditionalWrite, Depends(conditional_write(_finance))]
