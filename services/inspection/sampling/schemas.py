"""HTTP shapes of third-party evaluation samples."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from shared.fields import StrictInt


class SampleIn(BaseModel):
    area_code: str = Field(pattern=r"^[0-9]{12}$", description="The area evaluated (usually a county)")
    year: StrictInt = Field(
        ge=2014, le=2100, description="Households that exited in this year are the population"
    )
    seed: str = Field(
        min_length=1, max_length=200, description="Published before the draw; anyone can redo it"
    )


class SampleItemOut(BaseModel):
    household_id: str
    village_code: str
    verdict: str | None
    note: str | None


class SampleOut(BaseModel):
    id: uuid.UUID
    area_code: str
    year: int
    seed: str
    rate: str  # "1/10"
    min_per_village: int
    population: int
    size: int
    method: str
    items: list[SampleItemOut]
    created_at: datetime


class VerdictIn(BaseModel):
    household_id: str = Field(min_length=1, max_length=100)
    verdict: str = Field(examples=["correct", "wrongly_exited"])
    note: str | None = Field(default=None, max_length=2000)


class OmissionIn(BaseModel):
    village_code: str = Field(pattern=r"^[0-9]{12}$")
    households: StrictInt = Field(ge=0, le=10_000)
    note: str | None = Field(default=None, max_length=2000)


class ErrorRateOut(BaseModel):
    area_code: str
    checked: int
    wrongly_exited: int
    wrongly_left_out: int
    wrongly_exited_rate: str  # decimal text, four places
    wrongly_left_out_rate: str
