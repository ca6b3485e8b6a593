from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, Field

from services.registry.vocabulary import AREA_EXIT_STATUSES
from shared.fields import StrictInt
from shared.vocabulary import label_field


class CriterionOut(BaseModel):
    criterion: str
    criterion_label: str = Field(
        default="", description="the criterion as the exit form names it, in Chinese (两不愁三保障 …)"
    )
    passed: bool
    detail: str = Field(description="why it passed or not, in Chinese (in English under Accept-Language: en)")


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
    # a household's exit request goes through the same states as an area's (审核中 … 已作废)
    status_label: ClassVar[str | None] = label_field("status", AREA_EXIT_STATUSES)
    eligibility: list[CriterionOut]
    requested_on: date
    decided_on: date | None
    dossier_id: str | None
    reason: str | None
