"""HTTP shapes of inspections."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field


class TeamMemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(examples=["leader", "npc_deputy", "conduct_supervisor"])


class InspectionIn(BaseModel):
    kind: str = Field(examples=["announced", "unannounced"])
    title: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    target_areas: list[str] = Field(min_length=1, max_length=200)
    team: list[TeamMemberIn] = Field(min_length=1, max_length=50)


class InspectionOut(BaseModel):
    id: uuid.UUID
    area_code: str
    kind: str
    title: str
    starts_on: date
    ends_on: date
    target_areas: list[str]
    team: list[TeamMemberIn]
    status: str
    concluded_on: date | None
    created_by: str
    created_at: datetime
