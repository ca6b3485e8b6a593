from __future__ import annotations

from pydantic import BaseModel, Field


class ReportRowOut(BaseModel):
    source: str
    source_name: str = Field(
        description="the source account's name as the CSV/XLSX 资金来源 column prints it (江门市扶贫基金); "
        "未注明来源 for payments that name no source, 合计 on the total row"
    )
    planned_fen: int
    received_fen: int
    disbursed_fen: int
    disbursement_rate_percent: str


class FundsReportOut(BaseModel):
    area_code: str
    year: int | None
    rows: list[ReportRowOut]
    total: ReportRowOut
