from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.funds.vocabulary import NOTICE_STATES, OBJECTION_STATUSES
from shared.fields import VILLAGE_CODE_PATTERN, LateEntryReason, StrictInt
from shared.vocabulary import label_field


class NoticeIn(BaseModel):
    area_code: str = Field(pattern=VILLAGE_CODE_PATTERN, description="the village whose board shows it")
    title: str = Field(min_length=1, max_length=200)
    published_on: date = Field(description="the day it was pinned up: not after today (China date)")
    notice_days: StrictInt = Field(ge=1, le=90)
    backdate_reason: LateEntryReason | None = Field(
        default=None,
        description="why the publication date is entered late: needed (with the approver or admin role) "
        "when it lies further back than the policy's tolerance; shown on the public board",
    )


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
    status_label: ClassVar[str | None] = label_field("status", OBJECTION_STATUSES)  # 待处理, 已处理


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
    late_entry: dict[str, Any] | None = None
    state_label: ClassVar[str | None] = label_field("state", NOTICE_STATES)  # 公示中 ... as the board says


class PublicNoticeOut(BaseModel):
    """What the village board shows: amounts, projects, masked names. Objection texts stay internal
    (they may name people); only how many were lodged and resolved is public."""

    id: uuid.UUID
    area_code: str
    title: str
    published_on: date
    ends_on: date
    state: str
    state_label: str  # 公示中 ... (what the board prints)
    content: dict[str, Any]  # projects carry status_label next to status
    objections_lodged: int
    objections_resolved: int
    # a publication date entered late (补录): entered_date, recorded_on, days_late, reason
    late_entry: dict[str, Any] | None = None
