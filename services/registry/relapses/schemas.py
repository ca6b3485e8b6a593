from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, JsonValue, field_validator
from pydantic_core import PydanticCustomError

from services.registry.vocabulary import RELAPSE_CAUSE_LABELS, RELAPSE_CAUSES, RelapseDecision

_RELAPSE_CAUSE_CODES = {label: code for code, label in RELAPSE_CAUSE_LABELS.items()}


def _relapse_cause_code(value: object) -> object:
    """A clerk may name the cause by its label (因重大自然灾害, 因病 ...): taken as its code. (Not
    ``code_or_label``: that would change the documented schema, which lists the codes.)"""
    return _RELAPSE_CAUSE_CODES.get(value.strip(), value) if isinstance(value, str) else value


CAUSE_KIND = Field(
    json_schema_extra={"enum": list[JsonValue](sorted(RELAPSE_CAUSES))},
    description="the cause as a code (major_natural_disaster or a poverty cause): the area's policy "
    "routes it through the approval chain or through ordinary identification",
)


class RelapseCaseIn(BaseModel):
    cause: str = Field(min_length=1, max_length=2000, description="what happened, in words")
    cause_kind: Annotated[str, BeforeValidator(_relapse_cause_code)] = CAUSE_KIND

    @field_validator("cause_kind")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in RELAPSE_CAUSES:
            # a literal error, so the Chinese answer lists the labels (应为以下之一：因病、因残…)
            expected = ", ".join(repr(code) for code in RELAPSE_CAUSE_LABELS)
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return v


class ReidentificationIn(RelapseCaseIn):
    """An exited household that returned to poverty for a cause the policy sends back through
    ordinary identification: it becomes a candidate again (review, notice, signed confirmation)."""


class DecisionIn(BaseModel):
    step: str
    decision: RelapseDecision
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
