from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import MAX_FEN, Fen
from shared.clock import OfficeDateTime
from shared.fields import StrictInt

# How a rule is read, in the caller's language: Chinese (the default), English under Accept-Language: en.
ROUNDING = (
    "以上、不低于包含本数：预算金额达到或超过规定的最低额即为达标；按比例计算的最低额向上取整到分，"
    "规定额不会被少算"
)
ROUNDING_EN = (
    "以上 / 不低于 include the number: a rule passes when the budgeted amount is at or above its "
    "required minimum; a share is rounded up to the whole fen, so the requirement is never understated"
)


class DeclarationIn(BaseModel):
    local_revenue_increase_fen: StrictInt = Field(
        ge=-MAX_FEN,
        le=MAX_FEN,
        description="the year's local general public budget revenue increase in fen (negative if it fell)",
    )
    recovered_idle_funds_fen: Fen = Field(
        description="idle (stock) funds recovered that year that may be used as a whole, integer fen"
    )


class DeclarationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    area_code: str
    year: int
    local_revenue_increase_fen: int
    recovered_idle_funds_fen: int
    version: int = Field(description="changes with every change; its ETag goes in If-Match")
    declared_by: str
    updated_at: OfficeDateTime


class RuleCheckOut(BaseModel):
    rule_code: str
    rule_version: int
    kind: str = Field(description="revenue_increase_share, recovered_idle_share or fixed_amount")
    basis_points: int | None
    amount_fen: int | None
    budget_levels: list[str] = Field(description="whose yearly budgets (source accounts) count")
    source: str
    required_fen: int | None = Field(description="null: the declaration this rule reads is missing")
    budgeted_fen: int
    passed: bool | None
    shortfall_fen: int | None


class TotalCheckOut(BaseModel):
    required_fen: int | None
    budgeted_fen: int
    passed: bool | None
    shortfall_fen: int | None


class ComplianceOut(BaseModel):
    area_code: str
    year: int
    declaration: DeclarationOut | None
    rules: list[RuleCheckOut]
    total: TotalCheckOut = Field(description="the rules add up: the budget must cover their sum")
    rounding: str = ROUNDING
