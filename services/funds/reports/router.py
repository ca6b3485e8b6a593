from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from services.funds.reports import rules, schemas, service
from shared import cadres
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN
from shared.shaping import from_row
from shared.spreadsheets import XLSX_MEDIA_TYPE, HeaderStyle, csv_response, xlsx_response

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[cadres.CADRE_READS_REFUSED])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(row: rules.ReportRow) -> schemas.ReportRowOut:
    return from_row(
        schemas.ReportRowOut, row, source_name=row.name, disbursement_rate_percent=row.rate_percent
    )


@router.get(
    "/funds",
    response_model=schemas.FundsReportOut,
    responses={200: {"content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}}},
)
async def funds_report(
    session: SessionDep,
    user: CurrentUser,
    area_code: Annotated[str | None, Query(pattern=AREA_CODE_PATTERN)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
    headers: Annotated[
        HeaderStyle, Query(description="zh: Chinese column headers; codes: the machine-readable names")
    ] = "zh",
) -> schemas.FundsReportOut | StreamingResponse:
    """CSV (UTF-8 with BOM) and XLSX have Chinese headers and money in 元 with two decimals."""
    area = area_code or user.area_code
    rows = await service.funds_report(session, actor=user, area_code=area, year=year)
    name = f"funds-{area}-{year or 'all'}"
    if format == "csv":
        return csv_response(f"{name}.csv", rules.COLUMNS, rules.table(rows, headers), headers=headers)
    if format == "xlsx":
        return xlsx_response(
            f"{name}.xlsx", [rules.sheet(rows, title=name, headers=headers)], headers=headers
        )
    return schemas.FundsReportOut(
        area_code=area, year=year, rows=[_out(r) for r in rows], total=_out(rules.total_row(rows))
    )
