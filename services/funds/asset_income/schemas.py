from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.funds.money import Fen, PositiveFen
from services.funds.vocabulary import ENTERPRISE_KINDS
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN, StrictInt
from shared.labels import refusal
from shared.vocabulary import code_or_label

Party = Field(min_length=1, max_length=200)


class HouseholdShareIn(BaseModel):
    household_id: str = Field(min_length=1, max_length=80)
    shares: StrictInt = Field(default=1, ge=1, le=10_000, description="its shares (折股量化) in the split")


class AgreementIn(BaseModel):
    """A four-party agreement: county (or township) government, bank, enterprise or cooperative,
    and the beneficiary households."""

    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(pattern=AREA_CODE_PATTERN, description="the county (or township) that signs")
    government: str = Party
    bank: str = Party
    enterprise: str = Party
    enterprise_kind: Annotated[Literal["enterprise", "cooperative"], code_or_label(ENTERPRISE_KINDS)]
    households: list[HouseholdShareIn] = Field(min_length=1, max_length=1_000)
    principal_fen: PositiveFen = Field(description="the loan placed with the enterprise, integer fen")
    start_year: StrictInt = Field(ge=2000, le=2100)
    term_years: StrictInt = Field(ge=1, le=30)
    guaranteed_return_fen: Fen = Field(description="保底: paid every year whatever the profit, integer fen")
    dividend_rate_bp: StrictInt = Field(ge=0, le=10_000, description="分红: basis points of the loan a year")
    payer_account: str = Field(description="the enterprise's source account (it pays in from there)")
    holding_account: str = Field(description="the holding account dividends are paid into and out of")
    signed_on: date

    @field_validator("households")
    @classmethod
    def _distinct(cls, value: list[HouseholdShareIn]) -> list[HouseholdShareIn]:
        ids = [h.household_id for h in value]
        if len(set(ids)) != len(ids):
            raise refusal("each household appears once", "同一户只能列一次")
        return value


class HouseholdShareOut(BaseModel):
    household_id: str
    shares: int


class AgreementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    area_code: str
    government: str
    bank: str
    enterprise: str
    enterprise_kind: str
    households: list[HouseholdShareOut]
    principal_fen: int
    start_year: int
    term_years: int
    guaranteed_return_fen: int
    dividend_rate_bp: int
    due_per_year_fen: int = Field(description="guaranteed + dividend (rate × loan, rounded up to the fen)")
    policy_code: str | None
    policy_version: int | None
    minimum_dividend_bp: int | None
    payer_account: str
    holding_account: str
    signed_on: date
    created_at: OfficeDateTime


class DistributionIn(BaseModel):
    year: StrictInt = Field(ge=2000, le=2100)
    amount_fen: PositiveFen | None = Field(
        default=None, description="what the enterprise pays for the year; the year's amount due if omitted"
    )


class DistributionLineOut(BaseModel):
    household_id: str
    shares: int
    amount_fen: int
    disbursement_id: uuid.UUID | None = Field(description="null when the household's part is 0 fen")


class DistributionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agreement_id: uuid.UUID
    year: int
    due_fen: int
    amount_fen: int
    receipt_transaction_id: uuid.UUID
    lines: list[DistributionLineOut]
    distributed_on: date


class DividendYearOut(BaseModel):
    year: int
    due_fen: int
    paid_fen: int = Field(description="paid in by the enterprise for the year")
    disbursed_fen: int = Field(description="reached the households (reversed payments excluded)")
    outstanding_fen: int = Field(description="due - paid, never below zero")
    distributed_on: date | None
