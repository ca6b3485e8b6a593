from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import MAX_FEN
from services.funds.vocabulary import BENEFICIARY_KINDS
from shared.clock import OfficeDateTime
from shared.fields import StrictInt, with_example
from shared.vocabulary import code_or_label, label_field


class DisbursementIn(BaseModel):
    model_config = with_example(
        beneficiary_kind="household",
        beneficiary_id="6a1f2d3c-4b5e-4f60-8a7b-9c0d1e2f3a4b",
        amount_fen=150000,
        from_account="440783-special-2017",
        year=2017,
    )

    beneficiary_kind: Annotated[Literal["household", "village", "project"], code_or_label(BENEFICIARY_KINDS)]
    beneficiary_id: str = Field(min_length=1, max_length=80)
    amount_fen: StrictInt = Field(le=MAX_FEN, description="integer fen, above zero")
    from_account: str = Field(description="the holding account paying out")
    plan_id: uuid.UUID | None = Field(
        default=None, description="the plan it is paid against (households, villages)"
    )
    component: str | None = Field(default=None, max_length=80)
    year: StrictInt | None = Field(default=None, ge=2000, le=2100)


class DisbursementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    area_code: str
    plan_id: uuid.UUID | None
    beneficiary_kind: str
    beneficiary_id: str
    component: str | None
    year: int | None
    amount_fen: int
    from_account: str
    transaction_id: uuid.UUID
    reversed_by: uuid.UUID | None
    paid_on: date
    created_at: OfficeDateTime
    beneficiary_kind_label: ClassVar[str | None] = label_field("beneficiary_kind", BENEFICIARY_KINDS)


class DisbursementReversalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class EntitlementOut(BaseModel):
    beneficiary_kind: str
    beneficiary_id: str
    entitlement_fen: int
    disbursed_fen: int
    left_fen: int
