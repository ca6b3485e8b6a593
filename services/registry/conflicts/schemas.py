from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from services.registry.conflicts.rules import Outcome
from services.registry.vocabulary import CODE_LABELS, CONFLICT_STATUSES
from shared.vocabulary import label_field


class ResolutionIn(BaseModel):
    outcome: Outcome
    note: str = Field(min_length=1, max_length=2000)


class HeldSide(BaseModel):
    """Where the person is active now (only for an officer covering both areas)."""

    household_id: uuid.UUID
    household_number: str | None
    household_status: str
    area_code: str
    member_id: uuid.UUID
    name: str
    resident_id_masked: str
    relation: str
    relation_label: ClassVar[str | None] = label_field("relation", CODE_LABELS)  # 户主, 配偶 ...
    # the Chinese of the household's status (已建档立卡 ...), as GET /registry/v1/vocabulary gives it
    household_status_label: ClassVar[str | None] = label_field("household_status", CODE_LABELS)


class ConflictOut(BaseModel):
    """The officer's view: both sides."""

    id: uuid.UUID
    status: str
    queue_level: str
    queue_area_code: str
    claim_kind: str
    claim_area_code: str
    claim_household_id: uuid.UUID | None
    claim_person: dict[str, Any]
    opened_by: str
    opened_on: date
    held: HeldSide
    resolved_by: str | None
    resolved_on: date | None
    resolution_note: str | None
    # the Chinese of the status, as GET /registry/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", CONFLICT_STATUSES)


class ClaimantConflictOut(BaseModel):
    """What the clerk who entered the person sees: their own claim and its outcome, nothing of the
    household where the person is active (not even the level it was routed to, which would tell
    whether that household is in the same county or province)."""

    id: uuid.UUID
    status: str
    claim_kind: str
    claim_area_code: str
    opened_on: date
    resolved_on: date | None
    status_label: ClassVar[str | None] = label_field("status", CONFLICT_STATUSES)
