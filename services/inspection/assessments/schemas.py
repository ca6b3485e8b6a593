"""HTTP shapes of yearly assessments and reduction targets."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from services.inspection.assessments import rules
from services.inspection.findings.schemas import AccountabilityOut, record_out
from services.inspection.models import AccountabilityRecord, AssessmentResult, ReductionTarget
from services.inspection.vocabulary import ASSESSMENT_INDICATORS, ASSESSMENT_RATINGS
from shared.areas import AreaCode
from shared.clock import OfficeDateTime
from shared.fields import COUNTY_OR_BELOW_PATTERN, StrictInt
from shared.shaping import from_row
from shared.vocabulary import label_field, labels_field


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
    area_code: str = Field(pattern=COUNTY_OR_BELOW_PATTERN, description="a county, township or village")
    year: StrictInt = Field(ge=2014, le=2100)
    qualitative_score: StrictInt | None = Field(default=None, ge=0, le=100)


class RunIn(BaseModel):
    year: StrictInt = Field(ge=2014, le=2100)
    level: Literal["county", "township", "village"]


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
    name_label: ClassVar[str | None] = label_field("name", ASSESSMENT_INDICATORS)


class PreviewOut(BaseModel):
    area_code: str
    level: str
    year: int
    score: str
    rating: str
    missed_target: bool
    indicators: list[IndicatorOut]
    missing: list[str]
    rating_label: ClassVar[str | None] = label_field("rating", ASSESSMENT_RATINGS)
    missing_labels: ClassVar[list[str]] = labels_field("missing", ASSESSMENT_INDICATORS)


class AssessmentOut(PreviewOut):
    id: uuid.UUID
    qualitative_score: int | None
    admonishments: list[AccountabilityOut]
    created_at: OfficeDateTime


RunOut.model_rebuild()


def _dec(value: Fraction, places: str) -> str:
    return str(
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), ROUND_HALF_UP)
    )


def indicators_out(result: rules.Assessment) -> list[IndicatorOut]:
    return [
        IndicatorOut(
            name=i.name,
            numerator=i.numerator,
            denominator=i.denominator,
            ratio=_dec(i.ratio, "0.0001"),
            points=_dec(i.points, "0.01"),
        )
        for i in result.indicators
    ]


def target_out(target: ReductionTarget) -> TargetOut:
    return TargetOut(
        area_code=target.area_code, year=target.year, people=target.people, version=target.version
    )


def assessment_out(row: AssessmentResult, admonishments: list[AccountabilityRecord]) -> AssessmentOut:
    return from_row(
        AssessmentOut,
        row,
        indicators=[IndicatorOut(**i) for i in row.indicators],
        admonishments=[record_out(r) for r in admonishments],
    )


def preview_out(area: AreaCode, year: int, result: rules.Assessment) -> PreviewOut:
    return PreviewOut(
        area_code=area.code,
        level=area.level.value,
        year=year,
        score=result.score_text,
        rating=result.rating,
        missed_target=result.missed_target,
        indicators=indicators_out(result),
        missing=list(result.missing),
    )
