"""HTTP shapes of inspections."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from services.inspection.vocabulary import INSPECTION_KINDS, INSPECTION_STATUSES, TEAM_ROLES
from shared.clock import OfficeDateTime
from shared.vocabulary import code_or_label, label_field


class TeamMemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Annotated[str, code_or_label(TEAM_ROLES)] = Field(examples=["leader", "npc_deputy", "组长"])


class TeamMemberOut(TeamMemberIn):
    role_label: ClassVar[str | None] = label_field("role", TEAM_ROLES)


class InspectionIn(BaseModel):
    kind: Annotated[str, code_or_label(INSPECTION_KINDS)] = Field(
        examples=["announced", "unannounced", "暗访"]
    )
    title: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    target_areas: list[str] = Field(min_length=1, max_length=200)
    team: list[TeamMemberIn] = Field(min_length=1, max_length=50)


class InspectionOut(BaseModel):
    id: uuid.UUID
    area_code: str
    kind: str
    kind_label: ClassVar[str | None] = label_field("kind", INSPECTION_KINDS)
    title: str
    starts_on: date
    ends_on: date
    target_areas: list[str]
    team: list[TeamMemberOut]
    status: str
    status_label: ClassVar[str | None] = label_field("status", INSPECTION_STATUSES)
    concluded_on: date | None
    created_by: str
    created_at: OfficeDateTime
