"""Typed dependencies of the funds routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from shared.answers import ConditionalWrite, conditional_write
from shared.auth import Principal, require_roles
from shared.clock import TodayDep
from shared.errors import request_language

__all__ = ["English", "Finance", "FinanceWrite", "TodayDep"]


# Money moves only by finance officers (admin passes every role check).
_finance = require_roles("finance")
Finance = Annotated[Principal, Depends(_finance)]
# A change by a finance officer under If-Match (the session, the caller, If-Match, the response).
FinanceWrite = Annotated[ConditionalWrite, Depends(conditional_write(_finance))]


def _reads_english(request: Request, response: Response) -> bool:
    """Whether the caller reads English (Accept-Language: en); an answer worded by it varies by it."""
    response.headers["Vary"] = "Accept-Language"
    return request_language(request) == "en"


English = Annotated[bool, Depends(_reads_english)]
