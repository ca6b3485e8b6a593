from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, JsonValue, field_validator

from services.registry.vocabulary import RELAPSE_CAUSES

CAUSE_KIND = Field(
    json_schema_extra={"enum": list[JsonValue](sorted(RELAPSE_CAUSES))},
    description="the cause as a code (major_natural_disaster or a poverty cause): the area's policy "
    "routes it through the approval chain or through ordinary identification",
)


class RelapseCaseIn(BaseModel):
    cause: str = Field(min_length=1, max_length=2000, description="what happened, in words")
    cause_kind: str = CAUSE_KIND

    @field_validator("cause_kind")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in RELAPSE_CAUSES:
            raise ValueError(f"unknown relapse cause {v!r}; one of {', '.join(sorted(RELAPSE_CAUSES))}")
        return v


class ReidentificationIn(RelapseCaseIn):
    """An exited household that returned to poverty for a cause the policy sends back through
    ordinary identification: it becomes a candidate again (review, notice, signed confirmation)."""


class DecisionIn(BaseModel):
    step: str
    decision: Literal["approve", "refuse"]
    reason: str = Field(min_length=1, max_length=2000)


class RelapseCaseOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    status: str
    cause: str
    cause_kind: str | None
    opened_on: date
    chain: list[dict[str, str]]
    decisions: list[dict[str, Any]]
    next_step: str | None
    plan_year: int | None
