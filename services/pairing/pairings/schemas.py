"""Request and response models of pairings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.pairing.vocabulary import CLOSE_REASONS, PAIRING_KINDS, PairingKind
from shared.vocabulary import label_field


class PairingIn(BaseModel):
    kind: PairingKind
    helper_id: uuid.UUID
    target_id: str = Field(
        min_length=1,
        max_length=64,
        description="household id, or the 12-digit code of a village/township/county",
    )
    started_on: date | None = Field(default=None, description="defaults to today")


class PairingEndIn(BaseModel):
    ended_on: date
    reason: str = Field(min_length=1, max_length=64, description="e.g. posting_ended, reassigned")


class PairingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: PairingKind
    kind_label: ClassVar[str | None] = label_field("kind", PAIRING_KINDS)  # 干部结对帮扶户 ...
    helper_id: uuid.UUID
    target_type: str
    target_id: str
    area_code: str
    started_on: date
    ended_on: date | None
    end_reason: str | None
    end_reason_label: ClassVar[str | None] = label_field("end_reason", CLOSE_REASONS)  # 已移交其他干部 ...
