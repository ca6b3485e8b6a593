from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, field_validator
from pydantic_core import PydanticCustomError

from services.registry.labels import LABELS
from services.registry.vocabulary import (
    RELAPSE_CAUSE_LABELS,
    RELAPSE_CAUSES,
    RELAPSE_STATUSES,
    RelapseDecision,
)
from shared.areas import LEVEL_ZH
from shared.vocabulary import label_field

# How the approval screen names a step (镇农办、民政认定 ...), its role and its level (乡镇级 ...),
# as the refusals of relapses.rules.check_step word them.
_LEVELS_ZH = {code: f"{word}级" for code, word in LEVEL_ZH.items()}

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


class ChainStepOut(BaseModel):
    """One step of the case's approval chain as the policy set it when the case was opened."""

    model_config = ConfigDict(extra="allow")

    code: str
    code_label: ClassVar[str | None] = label_field("code", LABELS.codes)
    role: str
    role_label: ClassVar[str | None] = label_field("role", LABELS.codes)
    level: str
    level_label: ClassVar[str | None] = label_field("level", _LEVELS_ZH)


class RelapseCaseOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    status: str
    status_label: ClassVar[str | None] = label_field("status", RELAPSE_STATUSES)
    cause: str
    cause_kind: str | None
    cause_kind_label: ClassVar[str | None] = label_field("cause_kind", RELAPSE_CAUSE_LABELS)  # 因重大自然灾害
    opened_on: date
    chain: list[ChainStepOut]
    decisions: list[dict[str, Any]]
    next_step: str | None
    next_step_label: ClassVar[str | None] = label_field("next_step", LABELS.codes)
    plan_year: int | None
