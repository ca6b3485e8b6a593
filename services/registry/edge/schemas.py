from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from shared.fields import AREA_CODE_PATTERN, RESIDENT_ID_PATTERN, Fen, StrictInt


class EdgeHouseholdIn(BaseModel):
    area_code: str = Field(pattern=AREA_CODE_PATTERN)
    head_name: str = Field(min_length=1, max_length=50)
    head_resident_id: str = Field(min_length=18, max_length=18, pattern=RESIDENT_ID_PATTERN)
    persons: StrictInt = Field(ge=1, le=30)
    per_capita_income_fen: Fen | None = None
    risk: str = Field(min_length=1, max_length=2000)


class EdgeHouseholdOut(BaseModel):
    id: uuid.UUID
    area_code: str
    head_name_masked: str
    head_id_masked: str
    persons: int
    per_capita_income_fen: int | None
    risk: str
    status: str


class RollProblemOut(BaseModel):
    line: int
    problem: str


class CrossCheckOut(BaseModel):
    area_code: str
    lines_read: int
    problems: list[RollProblemOut]
    matched_count: int
    on_roll_not_flagged_count: int
    flagged_not_on_roll_count: int
    not_registered_count: int
    matched: list[dict[str, object]]
    on_roll_not_flagged: list[dict[str, object]]
    flagged_not_on_roll: list[str]
    not_registered: list[dict[str, object]]
