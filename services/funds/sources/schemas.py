from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import Fen
from services.funds.vocabulary import ACCOUNT_KINDS
from shared.fields import AREA_CODE_PATTERN
from shared.vocabulary import code_or_label, label_field

AreaCodeField = Field(pattern=AREA_CODE_PATTERN, description="12-digit administrative division code")
AccountCode = Field(
    pattern=r"^[a-z0-9][a-z0-9.-]{1,78}$", description="lowercase code, e.g. kaiping-special-account"
)


class AccountIn(BaseModel):
    code: str = AccountCode
    name: str = Field(min_length=1, max_length=200)
    area_code: str = AreaCodeField
    # a payout account is opened by the service, never through this route: the document lists what is taken
    kind: Annotated[
        Literal["source", "holding"], code_or_label({k: ACCOUNT_KINDS[k] for k in ("source", "holding")})
    ]


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    area_code: str
    kind: str
    balance_fen: int
    opened_on: date
    last_outflow_on: date | None
    kind_label: ClassVar[str | None] = label_field("kind", ACCOUNT_KINDS)  # 资金来源, 专户（资金池）, 拨付户


class BudgetIn(BaseModel):
    amount_fen: Fen


class BudgetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_code: str
    year: int
    amount_fen: int
    version: int = Field(description="changes with every change; its ETag goes in If-Match")
