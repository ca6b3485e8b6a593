from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class RelapseCaseIn(BaseModel):
    cause: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    step: str
    decision: Literal["approve", "refuse"]
    reason: str = Field(min_length=1, max_length=2000)


class RelapseCaseOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    status: str
    cause: str
    opened_on: date
    chain: list[dict[str, str]]
    decisions: list[dict[str, Any]]
    next_step: str | None
    plan_year: int | None
