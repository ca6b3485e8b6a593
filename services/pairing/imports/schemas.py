"""Request and response models of the 结对帮扶名单 import."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from services.pairing.vocabulary import IMPORT_ROW_STATUSES, IMPORT_STATUSES
from shared.clock import OfficeDateTime
from shared.vocabulary import label_field


class ImportStatusOut(BaseModel):
    id: uuid.UUID
    status: str = Field(description="validating | validated | committing | committed | failed | cancelled")
    # the Chinese of the status, as GET /pairing/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", IMPORT_STATUSES)
    filename: str | None
    file_format: str
    encoding: str | None
    sha256: str
    rows_total: int | None
    rows_validated: int = Field(description="rows checked so far")
    rows_accepted: int
    rows_refused: int = Field(description="rows with a reason (GET …/rows?status=refused)")
    rows_committed: int = Field(description="pairings written so far (while committing) or in all")
    helpers_created: int = Field(description="helpers the commit added (the rest were known by 工号)")
    mode: str | None
    error: str | None = Field(description="why a failed import failed")
    created_at: OfficeDateTime
    elapsed_s: float | None
    eta_s: float | None = Field(description="seconds left while validating or committing, at the rate so far")


class ImportRowOut(BaseModel):
    row: int = Field(description="the row number in the spreadsheet (the header is row 1)")
    status: Literal["accepted", "refused"]
    reasons: list[str] = Field(description="why the row is refused, in Chinese")
    cells: list[str | None]
    # the Chinese of the status, as GET /pairing/v1/vocabulary gives it
    status_label: ClassVar[str | None] = label_field("status", IMPORT_ROW_STATUSES)


class ImportRowsOut(BaseModel):
    next_after: int | None = Field(description="pass as ``after`` for the next page; null on the last")
    items: list[ImportRowOut]


class CommitIn(BaseModel):
    mode: Literal["all_or_nothing", "valid_rows_only"] = Field(
        description="all_or_nothing: nothing unless every row passes; valid_rows_only: the rows that pass"
    )
