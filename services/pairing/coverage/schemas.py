"""Response models of coverage numbers and gaps."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.pairing.coverage.rules import GapKind


class CoverageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    area_prefix: str
    on: date
    households_to_pair: int
    households_paired: int
    households_without_cadre: int
    poor_villages: int
    villages_without_work_team: int
    villages_without_first_secretary: int
    cadres: int
    cadres_over_cap: int
    visits_overdue: int

    @classmethod
    def counters(cls) -> list[str]:
        return [name for name in cls.model_fields if name not in ("area_prefix", "on")]


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    opened: int
    closed: int
    open: int


class GapOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: GapKind
    subject_id: str
    area_code: str
    episode: int
    signal_key: str
    detail: dict[str, Any]
    opened_at: datetime
    closed_at: datetime | None
