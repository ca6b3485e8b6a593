"""HTTP shapes of third-party evaluation samples."""

from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.inspection.models import EvaluationItem, EvaluationSample
from services.inspection.vocabulary import SIGNOFF_KINDS, VERDICTS
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN, StrictInt
from shared.shaping import from_row
from shared.vocabulary import code_or_label, label_field


class SampleIn(BaseModel):
    area_code: str = Field(pattern=AREA_CODE_PATTERN, description="The area evaluated (usually a county)")
    year: StrictInt = Field(
        ge=2014, le=2100, description="Households that exited in this year are the population"
    )
    seed: str = Field(
        min_length=1, max_length=200, description="Published before the draw; anyone can redo it"
    )
    unit: Literal["household", "village"] = Field(
        default="household",
        description="household: exited households, per village; village: exited poor villages "
        "(贫困村退出), per county",
    )


class SampleItemOut(BaseModel):
    household_id: str | None  # None in a village sample: the item is the village
    village_code: str
    verdict: str | None
    verdict_label: ClassVar[str | None] = label_field("verdict", VERDICTS)  # 退出准确 / 错退
    note: str | None


class SampleOut(BaseModel):
    id: uuid.UUID
    area_code: str
    year: int
    seed: str
    rate: str  # "1/10"
    min_per_village: int  # per stratum: village (household sample) or county (village sample)
    population: int
    unit: str = "household"
    unit_label: ClassVar[str | None] = label_field("unit", SIGNOFF_KINDS)  # 贫困户退出 / 贫困村退出
    size: int
    method: str  # how it was drawn, in Chinese (English with Accept-Language: en)
    items: list[SampleItemOut]
    created_at: OfficeDateTime


class VerdictIn(BaseModel):
    # _one_subject, stated: a household (household sample) or a village (village sample), not both
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["household_id"],
                    "properties": {"household_id": {"type": "string"}, "village_code": {"type": "null"}},
                },
                {
                    "required": ["village_code"],
                    "properties": {"village_code": {"type": "string"}, "household_id": {"type": "null"}},
                },
            ]
        }
    )

    household_id: str | None = Field(default=None, min_length=1, max_length=100)
    village_code: str | None = Field(
        default=None, pattern=AREA_CODE_PATTERN, description="in a village sample"
    )
    verdict: Annotated[str, code_or_label(VERDICTS)] = Field(examples=["correct", "wrongly_exited", "错退"])
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if (self.household_id is None) == (self.village_code is None):
            raise ValueError("name the household_id (household sample) or the village_code (village sample)")
        return self


class OmissionIn(BaseModel):
    village_code: str = Field(pattern=AREA_CODE_PATTERN)
    households: StrictInt = Field(ge=0, le=10_000)
    note: str | None = Field(default=None, max_length=2000)


class ErrorRateOut(BaseModel):
    area_code: str
    checked: int
    wrongly_exited: int
    wrongly_left_out: int
    wrongly_exited_rate: str  # decimal text, four places
    wrongly_left_out_rate: str


# How a sample was drawn, so anyone can redo it: (English, Chinese); Chinese unless the caller asks
# for English.
METHOD = (
    "Per village, households ranked by SHA-256('<seed>:<household_id>') as hex, lowest first; "
    "take ceil(n * rate), at least min_per_village, at most n.",
    "按村分别抽取：每户按SHA-256('<seed>:<household_id>')的十六进制值从小到大排序，"
    "抽取ceil(n × 抽样比例)户，每村不少于min_per_village户，至多n户。",
)

VILLAGE_METHOD = (
    "Per county, exited villages ranked by SHA-256('<seed>:<village_code>') as hex, lowest first; "
    "take ceil(n * rate), at least min_per_village, at most n.",
    "按县分别抽取：每个已退出贫困村按SHA-256('<seed>:<village_code>')的十六进制值从小到大排序，"
    "抽取ceil(n × 抽样比例)个村，每县不少于min_per_village个，至多n个。",
)


def sample_out(sample: EvaluationSample, items: list[EvaluationItem], *, english: bool = False) -> SampleOut:
    english_method, chinese_method = METHOD if sample.unit == "household" else VILLAGE_METHOD
    return from_row(
        SampleOut,
        sample,
        rate=f"{sample.rate_numerator}/{sample.rate_denominator}",
        size=len(items),
        method=english_method if english else chinese_method,
        items=[from_row(SampleItemOut, i) for i in items],
    )
