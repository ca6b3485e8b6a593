from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.fields import StrictInt


class NoticeIn(BaseModel):
    area_code: str = Field(pattern=r"^[0-9]{12}$", description="the village whose board shows it")
    title: str = Field(min_length=1, max_length=200)
    published_on: date
    notice_days: StrictInt = Field(ge=1, le=90)


class ObjectionIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class ResolutionIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=2000)


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    lodged_on: date
    text: str
    status: str
    resolution: str | None


class NoticeOut(BaseModel):
    """The staff view: the notice and its objections."""

    id: uuid.UUID
    area_code: str
    title: str
    published_on: date
    ends_on: date
    notice_days: int
    state: str
    content: dict[str, Any]
    objections: list[ObjectionOut]


class PublicNoticeOut(BaseModel):
    """What the village board shows: amounts, projects, masked names. Objection texts stay internal
    (they may name people); only how many were lodged and resolved is public."""

    id: uuid.UUID
    area_code: str
    title: str
    published_on: date
    ends_on: date
    state: str
    content: dict[str, Any]
    objections_lodged: int
    objections_resolved: int
