from __future__ import annotations

from pydantic import BaseModel


class ReportRowOut(BaseModel):
    source: str
    planned_fen: int
    received_fen: int
    disbursed_fen: int
    disbursement_rate_percent: str


class FundsReportOut(BaseModel):
    area_code: str
    year: int | None
    rows: list[ReportRowOut]
    total: ReportRowOut
