from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.funds.money import PositiveFen
from services.funds.vocabulary import LEDGER_KINDS
from shared.clock import OfficeDateTime
from shared.fields import StrictInt, with_example
from shared.vocabulary import code_or_label, label_field

# What an officer books by hand; payments and their corrections are booked by their own routes.
ENTERED_KINDS = {code: LEDGER_KINDS[code] for code in ("receipt", "transfer")}


class TransferIn(BaseModel):
    """Money from one account to another: a receipt from a source, or a transfer between accounts."""

    model_config = with_example(
        kind="transfer",
        from_account="440700-special-2017",
        to_account="440783-special-2017",
        amount_fen=50000000,
        year=2017,
        memo="2017年第一批专项扶贫资金",
    )

    kind: Annotated[Literal["receipt", "transfer"], code_or_label(ENTERED_KINDS)]
    from_account: str
    to_account: str
    amount_fen: PositiveFen
    plan_id: uuid.UUID | None = None
    year: StrictInt | None = Field(default=None, ge=2000, le=2100)
    memo: str = Field(default="", max_length=500)


class ReversalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class PostingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_code: str
    amount_fen: int


class TransactionOut(BaseModel):
    id: uuid.UUID
    kind: str
    area_code: str
    plan_id: uuid.UUID | None
    year: int | None
    memo: str
    reverses_id: uuid.UUID | None
    booked_on: date
    created_at: OfficeDateTime
    postings: list[PostingOut]
    kind_label: ClassVar[str | None] = label_field("kind", LEDGER_KINDS)  # 资金到账, 资金划转
