from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.funds.reports import rules, service
from services.funds.reports.schemas import FundsReportOut, ReportRowOut
from shared import cadres
from shared.auth import CurrentUser
from shared.db import SessionDep

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[cadres.CADRE_READS_REFUSED])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(row: rules.ReportRow) -> ReportRowOut:
    return ReportRowOut(
        source=row.source,
        planned_fen=row.planned_fen,
        received_fen=row.received_fen,
        disbursed_fen=row.disbursed_fen,
        disbursement_rate_percent=row.rate_percent,
    )


@router.get("/funds", response_model=FundsReportOut, responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
async def funds_report(
    session: SessionDep,
    user: CurrentUser,
    area_code: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> FundsReportOut | Response:
    area = area_code or user.area_code
    rows = await service.funds_report(session, actor=user, area_code=area, year=year)
    name = f"funds-{area}-{year or 'all'}"
    if format == "csv":
        return Response(
            rules.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "xlsx":
        return Response(
            rules.to_xlsx(rows, title=name),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return FundsReportOut(
        area_code=area, year=year, rows=[_out(r) for r in rows], total=_out(rules.total_row(rows))
    )
