"""HTTP shapes of village and county exits and their policy records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar, Self

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from services.registry.area_exits.rules import AreaExitKind, Comparison, Measure, Source
from services.registry.vocabulary import AREA_EXIT_STATUSES
from shared.labels import refusal
from shared.vocabulary import label_field

Evidence = list[str]


class DeclaredIn(BaseModel):
    """A fact the registry cannot compute (roads, clinics, collective income …), with the
    references of its evidence (document numbers, file names, photo ids)."""

    criterion: str = Field(min_length=1, max_length=60, examples=["hardened_road"])
    value: StrictBool | StrictInt = Field(description="true/false for a flag, fen for an amount")
    evidence: Evidence = Field(min_length=1, max_length=50, examples=[["县交通局验收单 2018-017"]])
    note: str | None = Field(default=None, max_length=2000)


class AreaExitRequestIn(BaseModel):
    year: int = Field(ge=2014, le=2100, description="the year assessed")
    declared: list[DeclaredIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        codes = [d.criterion for d in self.declared]
        if len(codes) != len(set(codes)):
            raise refusal("each criterion is declared once", "每项退出指标只能申报一次")
        return self


class AreaCriterionOut(BaseModel):
    criterion: str
    label: str = Field(description="what it means, in Chinese (in English under Accept-Language: en)")
    passed: bool
    blocking: bool  # false: weighed by the signers (统筹考虑), never blocks on its own
    source: str  # registry (computed) | declared (stated with evidence)
    detail: str = Field(
        description="why it passed or not, in Chinese (in English under Accept-Language: en; a request "
        "kept before the details were worded in Chinese shows its English)"
    )
    value: bool | int | str | None = None  # incidence: "poor/rural", exact
    threshold: int | None = None  # basis points (incidence) or fen (amount)
    comparison: str | None = None  # at_or_below | below | at_or_above | above
    evidence: list[str] = Field(default_factory=list)


class PolicyRef(BaseModel):
    area_prefix: str
    year: int
    source: str


class AreaEligibilityOut(BaseModel):
    area_code: str
    area_name: str
    kind: str  # village | county
    year: int
    eligible: bool
    policy: PolicyRef
    poor_persons: int
    rural_population: int | None
    criteria: list[AreaCriterionOut]


class AreaExitRequestOut(BaseModel):
    id: uuid.UUID
    area_code: str
    kind: str
    year: int
    status: str  # pending | verified | returned | void
    criteria: list[AreaCriterionOut]
    policy_source: str
    poor_persons: int
    rural_population: int | None
    requested_on: date
    requested_by: str
    decided_on: date | None  # the exit date when verified
    dossier_id: str | None
    reason: str | None  # why it was returned
    # the Chinese of the status, as GET /registry/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", AREA_EXIT_STATUSES)


class AreaExitStatusOut(BaseModel):
    area_code: str
    kind: str
    exited: bool
    exited_on: date | None
    year: int | None
    exit_request_id: uuid.UUID | None
    pending_request_id: uuid.UUID | None


class CriterionSpecIO(BaseModel):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1, max_length=300, description="what the criterion means, in Chinese")
    measure: Measure
    source: Source
    comparison: Comparison | None = None
    threshold: StrictInt | None = Field(default=None, ge=0, le=10**15)
    blocking: StrictBool = True
    label_en: str | None = Field(
        default=None, max_length=300, description="the same in English (answers under Accept-Language: en)"
    )


class AreaExitPolicyIn(BaseModel):
    area_prefix: str = Field(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$")
    year: int = Field(ge=2000, le=2100)
    kind: AreaExitKind
    source: str = Field(min_length=1, max_length=2000, description="the policy's words and where they are")
    criteria: list[CriterionSpecIO] = Field(min_length=1, max_length=30)


class AreaExitPolicyOut(BaseModel):
    area_prefix: str
    year: int
    kind: AreaExitKind
    source: str
    criteria: list[CriterionSpecIO]
    version: int | None = None  # set for a stored record (its ETag); none for a resolved view
