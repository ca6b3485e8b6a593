from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import Fen
from services.funds.vocabulary import PROJECT_CATEGORIES, PROJECT_STATUSES
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN
from shared.vocabulary import code_or_label, label_field


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(pattern=AREA_CODE_PATTERN, description="the village (or township) it serves")
    category: Annotated[str, code_or_label(PROJECT_CATEGORIES)] = Field(
        min_length=1,
        max_length=40,
        description="a code of GET /funds/v1/vocabulary (project_category: industry, infrastructure, "
        "housing …) or its Chinese (产业扶贫 …); other words are kept as typed",
    )
    budget_fen: Fen
    funding_account: str = Field(description="the county integrated pool it is paid from")


class ProjectTransitionIn(BaseModel):
    status: Annotated[
        Literal["approved", "in_progress", "completed", "cancelled"],
        code_or_label({k: v for k, v in PROJECT_STATUSES.items() if k != "proposed"}),
    ]


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    area_code: str
    category: str
    budget_fen: int
    funding_account: str
    status: str
    version: int
    approved_by: str | None
    created_at: OfficeDateTime
    # the Chinese of the codes, as GET /funds/v1/vocabulary gives them (other words: as typed)
    status_label: ClassVar[str | None] = label_field("status", PROJECT_STATUSES)
    category_label: ClassVar[str | None] = label_field("category", PROJECT_CATEGORIES)


class ProjectHouseholdIn(BaseModel):
    household_id: str = Field(
        min_length=1, max_length=80, description="a registered household that develops or joins it"
    )


class ProjectHouseholdOut(BaseModel):
    project_id: uuid.UUID
    household_id: str


class HouseholdWithoutProject(BaseModel):
    household_id: str
    area_code: str
    name: str | None = Field(description="the head's name, masked")


class IndustryParticipationOut(BaseModel):
    """开平市《赤水镇…实施方案(2016-2018年)》四(三): each helped household develops or joins
    ``min_projects`` industry projects or more."""

    area_code: str
    source: str
    min_projects: int
    categories: list[str]
    households: int = Field(description="helped households (the policy's batches) still registered")
    with_projects: int
    without_projects: list[HouseholdWithoutProject]
