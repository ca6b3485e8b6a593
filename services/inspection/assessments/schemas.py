"""HTTP shapes of yearly assessments and reduction targets."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from services.inspection.findings.schemas import AccountabilityOut
from shared.fields import AREA_CODE_PATTERN, StrictInt


class TargetIn(BaseModel):
    people: StrictInt = Field(
        ge=0, le=10_000_000, description="People the area must lift out of poverty this year"
    )


class TargetOut(BaseModel):
    area_code: str
    year: int
    people: int
    version: int = Field(description="changes with every change; its ETag goes in If-Match")


class AssessmentIn(BaseModel):
    area_code: str = Field(pattern=AREA_CODE_PATTERN)
    year: StrictInt = Field(ge=2014, le=2100)
    qualitative_score: StrictInt | None = Field(default=None, ge=0, le=100)


class RunIn(BaseModel):
    year: StrictInt = Field(ge=2014, le=2100)
    level: str = Field(examples=["county", "township", "village"])


class RunOut(BaseModel):
    year: int
    level: str
    assessed: list[AssessmentOut]
    more: bool = Field(description="More areas wait: call again to continue (each call is bounded)")


class IndicatorOut(BaseModel):
    name: str
    numerator: int
    denominator: int
    ratio: str  # decimal text, four places
    points: str  # decimal text, two places


class AssessmentOut(BaseModel):
    id: uuid.UUID
    area_code: str
    level: str
    year: int
    score: str
    rating: str
    missed_target: bool
    qualitative_score: int | None
    indicators: list[IndicatorOut]
    missing: list[str]
    admonishments: list[AccountabilityOut]
    created_at: datetime


class PreviewOut(BaseModel):
    area_code: str
    level: str
    year: int
    score: str
    rating: str
    missed_target: bool
    indicators: list[IndicatorOut]
    missing: list[str]


RunOut.model_rebuild()
