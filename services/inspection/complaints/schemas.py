"""HTTP shapes of 12317 complaints."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from services.inspection.complaints import rules
from services.inspection.models import Complaint
from services.inspection.vocabulary import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, URGENCIES
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN
from shared.labels import refusal
from shared.shaping import from_row
from shared.vocabulary import code_or_label, label_field


class ComplainantIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=30)


class ComplaintIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            # _named_when_not_anonymous, stated: anonymous without a complainant, or named with one
            "anyOf": [
                {"properties": {"anonymous": {"const": True}, "complainant": {"type": "null"}}},
                {
                    "required": ["anonymous", "complainant"],
                    "properties": {"anonymous": {"const": False}, "complainant": {"type": "object"}},
                },
            ],
            "examples": [
                {
                    "area_code": "440783105201",
                    "category": "funds",
                    "summary": "村里的产业扶贫资金没有按时发放",
                    "anonymous": True,
                }
            ],
        }
    )

    area_code: str = Field(pattern=AREA_CODE_PATTERN, description="Where the reported problem is")
    category: Annotated[str, code_or_label(COMPLAINT_CATEGORIES)]
    summary: str = Field(min_length=1, max_length=300)
    details: str = Field(default="", max_length=10_000)
    anonymous: StrictBool = True
    complainant: ComplainantIn | None = None
    received_on: date | None = Field(default=None, description="Default: today (Beijing)")

    @model_validator(mode="after")
    def _named_when_not_anonymous(self) -> ComplaintIn:
        if self.anonymous and self.complainant is not None:
            raise refusal(
                "an anonymous complaint carries no complainant", "匿名举报不填写举报人；要留姓名请选实名举报"
            )
        if not self.anonymous and self.complainant is None:
            raise refusal("a named complaint needs the complainant", "实名举报须填写举报人姓名")
        return self


class TriageIn(BaseModel):
    urgency: Annotated[str, code_or_label(URGENCIES)] = Field(examples=["urgent", "normal", "紧急"])


class DismissIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, description="Unit or officer who must resolve it")


class ResolveIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=5000)


class ComplaintOut(BaseModel):
    """Each code with its Chinese beside it (``*_label``, as GET /inspection/v1/vocabulary words it)."""

    id: uuid.UUID
    area_code: str
    category: str
    category_label: ClassVar[str | None] = label_field("category", COMPLAINT_CATEGORIES)
    summary: str
    details: str
    channel: str
    anonymous: bool
    # Only the handling role sees who complained; everyone else sees null.
    complainant: ComplainantIn | None
    status: str
    status_label: ClassVar[str | None] = label_field("status", COMPLAINT_STATUSES)
    urgency: str | None
    urgency_label: ClassVar[str | None] = label_field("urgency", URGENCIES)
    received_on: date
    deadline: date | None
    overdue: bool
    assigned_to: str | None
    resolution: str | None
    resolved_on: date | None
    created_at: OfficeDateTime


@dataclass(frozen=True)
class StatisticsScope:
    area_prefix: str
    since: date | None
    until: date | None


# The scope asked about, then the figures as rules.statistics counts them (a dataclass lists its
# bases' fields from the last base to the first): one schema, each field declared once.
@dataclass(frozen=True)
class ComplaintStatsOut(rules.ComplaintStats, StatisticsScope):
    pass


def complaint_out(c: Complaint, complainant: ComplainantIn | None, today: date) -> ComplaintOut:
    """A complaint as answered on ``today`` (whether it is overdue depends on the day)."""
    facts = rules.ComplaintFacts(c.status, c.category, c.deadline, c.resolved_on)
    return from_row(ComplaintOut, c, complainant=complainant, overdue=rules.is_overdue(facts, today))
