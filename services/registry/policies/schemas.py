from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, Field, model_validator

from shared.fields import Fen, StrictInt


class ApprovalStepIO(BaseModel):
    code: str
    role: str
    level: str


class PolicyRecordIn(BaseModel):
    area_prefix: str = Field(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})?$")
    year: StrictInt = Field(ge=2000, le=2100)
    source: str = Field(min_length=1)
    exit_line_fen: Fen | None = None
    notice_min_days: StrictInt | None = Field(default=None, ge=1, le=90)
    large_debt_limit_fen: Fen | None = None
    batch_set: str | None = None
    batches: list[str] | None = None
    exit_incidence_threshold_bp: StrictInt | None = Field(default=None, ge=0, le=10_000)
    policies_kept_until: date | None = None
    relapse_chain: list[ApprovalStepIO] | None = None
    weak_village_income_fen: StrictInt | None = Field(
        default=None, ge=0, le=10**15, description="village collective operating income threshold (fen)"
    )
    weak_village_income_inclusive: bool | None = Field(
        default=None,
        description="true: a village at exactly the threshold is weak too (以下); "
        "false: only under it (低于)",
    )

    @model_validator(mode="after")
    def _threshold_with_its_comparison(self) -> Self:
        if (self.weak_village_income_fen is None) != (self.weak_village_income_inclusive is None):
            raise ValueError(
                "weak_village_income_fen and weak_village_income_inclusive are set together or not at all"
            )
        return self


class PolicyRecordOut(PolicyRecordIn):
    """One record as stored (what a PUT for its prefix and year replaces), with its version."""

    version: int


class PolicyOut(BaseModel):
    area_code: str
    year: int
    exit_line_fen: int
    notice_min_days: int
    large_debt_limit_fen: int
    batch_set: str
    batches: list[str]
    exit_incidence_threshold_bp: int
    policies_kept_until: date
    relapse_chain: list[ApprovalStepIO]
    sources: list[str]
    weak_village_income_fen: int | None = None
    weak_village_income_inclusive: bool | None = None
