from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from services.registry.vocabulary import IMPORT_ROW_STATUSES, IMPORT_STATUSES
from shared.clock import OfficeDateTime
from shared.vocabulary import label_field


class ImportStatusOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: str = Field(description="validating | validated | committing | committed | failed | cancelled")
    filename: str | None
    file_format: str
    encoding: str | None
    sha256: str
    source_roll: str | None
    reason: str | None
    rows_total: int | None
    rows_validated: int
    rows_accepted: int
    rows_refused: int
    households_accepted: int
    rows_committed: int
    households_committed: int
    mode: str | None
    error: str | None
    created_at: OfficeDateTime
    elapsed_s: float | None
    eta_s: float | None = Field(description="seconds left while validating, at the rate so far")
    # the Chinese of the status (校验中, 已入库 ...), as GET /registry/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", IMPORT_STATUSES)


class ImportRowOut(BaseModel):
    row: int = Field(description="the row number in the spreadsheet (the header is row 1)")
    status: Literal["pending", "accepted", "refused"]
    household_key: str | None
    reasons: list[str] = Field(description="why the row is refused, in Chinese")
    outcome: str | None = Field(
        default=None, description="dibao: what the cross-check found for the row (一致 / 未登记 / 不一致：…)"
    )
    cells: list[str | None]
    # the Chinese of the status, as GET /registry/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", IMPORT_ROW_STATUSES)


class ImportRowsOut(BaseModel):
    items: list[ImportRowOut]
    next_after: int | None


class CommitIn(BaseModel):
    mode: Literal["all_or_nothing", "valid_rows_only"]
