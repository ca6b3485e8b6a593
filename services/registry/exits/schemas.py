from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from shared.fields import StrictInt


class CriterionOut(BaseModel):
    criterion: str
    passed: bool
    detail: str


class EligibilityOut(BaseModel):
    household_id: uuid.UUID
    year: int
    eligible: bool
    criteria: list[CriterionOut]


class ExitRequestIn(BaseModel):
    year: StrictInt = Field(ge=2014, le=2100)


class ExitRequestOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    year: int
    status: str
    eligibility: list[CriterionOut]
    requested_on: date
    decided_on: date | None
    dossier_id: str | None
    reason: str | None
