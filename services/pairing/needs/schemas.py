"""Response models of households (as pairing knows them), needs and suggestions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.pairing.pairings.schemas import PairingOut
from services.pairing.vocabulary import CLOSE_REASONS, HOUSEHOLD_STATUSES, NEED_STATUSES
from shared.clock import OfficeDateTime
from shared.vocabulary import label_field


class HouseholdOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_number: str | None
    area_code: str
    status: str
    # the registry's word for the status (已建档立卡 ...), as GET /pairing/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", HOUSEHOLD_STATUSES)
    member_count: int
    head_name_masked: str | None
    policies_kept_until: date | None
    pairings: list[PairingOut] = Field(default_factory=list)


class NeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    status: str
    opened_at: OfficeDateTime
    closed_at: OfficeDateTime | None
    closed_reason: str | None
    # the Chinese of the status, as GET /pairing/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", NEED_STATUSES)
    closed_reason_label: ClassVar[str | None] = label_field("closed_reason", CLOSE_REASONS)  # 已结对干部 ...


class SuggestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    helper_id: uuid.UUID
    name: str
    area_code: str
    households: int
    cap: int
    shared_levels: int = Field(
        description="administrative levels shared with the household (5 = same village)"
    )
