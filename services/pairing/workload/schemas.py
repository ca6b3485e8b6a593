"""Response models of a cadre's workload and record."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict


class WorkloadHousehold(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    household_id: uuid.UUID
    area_code: str
    status: str
    paired_since: date
    last_visit_on: date | None
    next_visit_due: date
    overdue: bool


class WorkloadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    helper_id: uuid.UUID
    name: str
    cap: int
    household_count: int
    overdue_visits: int
    visits_per_month: dict[str, int]
    households: list[WorkloadHousehold]
