"""HTTP shape of the monthly bulletin."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from services.inspection.findings.schemas import AccountabilityOut


class BulletinInspection(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    starts_on: date
    ends_on: date
    target_areas: list[str]
    status: str


class BulletinFinding(BaseModel):
    id: uuid.UUID
    area_code: str
    category: str
    severity: str
    title: str
    responsible_unit: str
    deadline: date
    status: str


class BulletinSummaryOut(BaseModel):
    inspections: int
    unannounced: int
    findings_raised: int
    findings_by_severity: dict[str, int]
    rectifications_verified: int
    overdue_open: int
    accountability_by_kind: dict[str, int]


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
