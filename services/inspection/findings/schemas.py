"""HTTP shapes of findings, rectifications and accountability records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.inspection.findings import rules
from services.inspection.models import AccountabilityRecord, Finding, Rectification
from services.inspection.vocabulary import (
    ACCOUNTABILITY_KINDS,
    FINDING_CATEGORIES,
    FINDING_STATUSES,
    RECTIFICATION_OUTCOMES,
    SEVERITIES,
)
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN
from shared.shaping import from_row
from shared.vocabulary import code_or_label, label_field


class FindingIn(BaseModel):
    area_code: str = Field(pattern=AREA_CODE_PATTERN)
    category: Annotated[str, code_or_label(FINDING_CATEGORIES)]  # the code or its label (识别不精准)
    severity: Annotated[str, code_or_label(SEVERITIES)] = Field(examples=["high", "medium", "low", "严重"])
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    responsible_unit: str = Field(min_length=1, max_length=200)
    responsible_person: str | None = Field(default=None, max_length=100)
    deadline: date | None = Field(default=None, description="Default: by severity from today")


class EvidenceIn(BaseModel):
    description: str = Field(min_length=1, max_length=500)
    reference: str = Field(min_length=1, max_length=500, description="Document number, photo id or URL")


class RectificationIn(BaseModel):
    report: str = Field(min_length=1, max_length=5000)
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=50)


class VerificationIn(BaseModel):
    # rules.check_verification, stated: accepted (and not found fake), or not accepted with a reason
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"properties": {"accepted": {"const": True}, "fake": {"const": False}}},
                {
                    "required": ["note"],
                    "properties": {"accepted": {"const": False}, "note": {"pattern": r"\S"}},
                },
            ]
        }
    )

    accepted: StrictBool
    note: str = Field(default="", max_length=2000)
    fake: StrictBool = Field(
        default=False, description="The report claims work that was not done (弄虚作假): refer for discipline"
    )


class RectificationOut(BaseModel):
    id: uuid.UUID
    submitted_on: date
    report: str
    evidence: list[EvidenceIn]
    submitted_by: str
    outcome: str
    verified_by: str | None
    verified_on: date | None
    verification_note: str | None
    outcome_label: ClassVar[str | None] = label_field("outcome", RECTIFICATION_OUTCOMES)  # 待验收 …


class FindingLabels(BaseModel):
    """The Chinese of a finding's codes, as GET /inspection/v1/vocabulary gives them (a finding, and
    the bulletin's lines of one)."""

    category_label: ClassVar[str | None] = label_field("category", FINDING_CATEGORIES)
    severity_label: ClassVar[str | None] = label_field("severity", SEVERITIES)
    status_label: ClassVar[str | None] = label_field("status", FINDING_STATUSES)


class FindingOut(FindingLabels):
    id: uuid.UUID
    inspection_id: uuid.UUID | None
    source_key: str | None
    area_code: str
    category: str
    severity: str
    title: str
    description: str
    responsible_unit: str
    responsible_person: str | None
    raised_on: date
    deadline: date
    status: str
    overdue: bool
    submitted_on: date | None
    verified_on: date | None
    created_at: OfficeDateTime


class FindingDetailOut(FindingOut):
    rectifications: list[RectificationOut]
    accountability: list[AccountabilityOut]


class AccountabilityOut(BaseModel):
    id: uuid.UUID
    area_code: str
    kind: str
    subject: str
    reason: str
    origin: str
    finding_id: uuid.UUID | None
    issued_on: date
    created_at: OfficeDateTime
    kind_label: ClassVar[str | None] = label_field("kind", ACCOUNTABILITY_KINDS)  # 通报, 约谈, 移交纪检监察


FindingDetailOut.model_rebuild()


def finding_out(f: Finding, today: date) -> FindingOut:
    """A finding as answered on ``today`` (whether it is overdue depends on the day)."""
    return from_row(
        FindingOut,
        f,
        overdue=rules.is_overdue(rules.RectificationState(f.status, f.deadline, f.submitted_on), today),
    )


def record_out(r: AccountabilityRecord) -> AccountabilityOut:
    return AccountabilityOut.model_validate(r, from_attributes=True)


def detail_out(
    f: Finding, rectifications: list[Rectification], records: list[AccountabilityRecord], today: date
) -> FindingDetailOut:
    return FindingDetailOut(
        **finding_out(f, today).model_dump(),
        rectifications=[RectificationOut.model_validate(r, from_attributes=True) for r in rectifications],
        accountability=[record_out(r) for r in records],
    )
