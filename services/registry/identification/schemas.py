from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from services.registry.identification.rules import OBJECTION_STATUS_LABELS, ReviewResult
from services.registry.vocabulary import CODE_LABELS
from shared.fields import LateEntryReason
from shared.vocabulary import label_field

_BACKDATE = Field(
    default=None,
    description="why the date is entered late: needed (with the approver or admin role) when the date "
    "lies further back than the policy's backdate_tolerance_days, or before the household was entered "
    "(a step held on paper earlier, 补录); shown on the public board and the household's timeline",
)


class ReviewIn(BaseModel):
    result: ReviewResult
    held_on: date = Field(
        description="not in the future, not before the household was entered (earlier only with a "
        "backdate_reason: a review held on paper)"
    )
    note: str | None = Field(default=None, max_length=2000)
    backdate_reason: LateEntryReason | None = _BACKDATE


class NoticeIn(BaseModel):
    starts_on: date = Field(description="not in the future, not before the village review")
    backdate_reason: LateEntryReason | None = _BACKDATE


class ObjectionIn(BaseModel):
    content: str = Field(min_length=1, max_length=4000)
    lodged_on: date = Field(description="not in the future, not before the notice started")
    backdate_reason: LateEntryReason | None = _BACKDATE


class ObjectionResolution(BaseModel):
    outcome: Literal["upheld", "dismissed"]
    resolution: str = Field(min_length=1, max_length=4000)


class ObjectionOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    lodged_on: date
    content: str
    status: str
    status_label: ClassVar[str | None] = label_field("status", OBJECTION_STATUS_LABELS)
    resolution: str | None
    resolved_on: date | None


HOUSEHOLD_ROLE = "household"  # a household's own account: sub = its household id (as for exit sign-off)


class ConfirmationIn(BaseModel):
    """逐户签字确认 (开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》):
    the household signs its own identification, with its own account."""

    member_id: uuid.UUID = Field(description="the member of the household who signs")
    capacity: Literal["head", "member"] = Field(
        description="head: the head of the household signs; member: another adult member signs for it"
    )


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class StatusOut(BaseModel):
    household_id: uuid.UUID
    status: str
    status_label: ClassVar[str | None] = label_field("status", CODE_LABELS)
    household_number: str | None = None
    confirmable_on: date | None = None
