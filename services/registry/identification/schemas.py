from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from services.registry.identification.rules import ReviewResult


class ReviewIn(BaseModel):
    result: ReviewResult
    held_on: date
    note: str | None = Field(default=None, max_length=2000)


class NoticeIn(BaseModel):
    starts_on: date


class ObjectionIn(BaseModel):
    content: str = Field(min_length=1, max_length=4000)
    lodged_on: date


class ObjectionResolution(BaseModel):
    outcome: Literal["upheld", "dismissed"]
    resolution: str = Field(min_length=1, max_length=4000)


class ObjectionOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    lodged_on: date
    content: str
    status: str
    resolution: str | None
    resolved_on: date | None


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class StatusOut(BaseModel):
    household_id: uuid.UUID
    status: str
    household_number: str | None = None
    confirmable_on: date | None = None
