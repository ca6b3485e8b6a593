"""HTTP shape of the monthly bulletin."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from typing import ClassVar

from pydantic import BaseModel

from services.inspection.bulletins import rules
from services.inspection.findings.schemas import AccountabilityOut, FindingLabels, record_out
from services.inspection.models import AccountabilityRecord, Finding, Inspection
from services.inspection.vocabulary import INSPECTION_KINDS, INSPECTION_STATUSES
from shared.vocabulary import label_field


class BulletinInspection(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    starts_on: date
    ends_on: date
    target_areas: list[str]
    status: str
    # the Chinese of the codes, as the printed bulletin words them
    kind_label: ClassVar[str | None] = label_field("kind", INSPECTION_KINDS)
    status_label: ClassVar[str | None] = label_field("status", INSPECTION_STATUSES)


class BulletinFinding(FindingLabels):
    id: uuid.UUID
    area_code: str
    category: str
    severity: str
    title: str
    responsible_unit: str
    deadline: date
    status: str


# The month's figures as rules.summarize counts them, under the answer's name (the same schema).
@dataclass(frozen=True)
class BulletinSummaryOut(rules.BulletinSummary):
    pass


class BulletinOut(BaseModel):
    area_prefix: str
    year: int
    month: int
    summary: BulletinSummaryOut
    inspections: list[BulletinInspection]
    findings_raised: list[BulletinFinding]
    rectifications_verified: list[BulletinFinding]
    overdue_open: list[BulletinFinding]
    accountability: list[AccountabilityOut]


def _finding(f: Finding) -> BulletinFinding:
    return BulletinFinding.model_validate(f, from_attributes=True)


def bulletin_out(
    area_prefix: str,
    year: int,
    month: int,
    summary: rules.BulletinSummary,
    inspections: list[Inspection],
    raised: list[Finding],
    verified: list[Finding],
    overdue: list[Finding],
    records: list[AccountabilityRecord],
) -> BulletinOut:
    return BulletinOut(
        area_prefix=area_prefix,
        year=year,
        month=month,
        summary=BulletinSummaryOut(**asdict(summary)),
        inspections=[BulletinInspection.model_validate(i, from_attributes=True) for i in inspections],
        findings_raised=[_finding(f) for f in raised],
        rectifications_verified=[_finding(f) for f in verified],
        overdue_open=[_finding(f) for f in overdue],
        accountability=[record_out(r) for r in records],
    )
