"""HTTP for the monthly bulletin: JSON, the same content as a workbook, or as a printable document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from services.inspection.bulletins import printable, schemas, service
from services.inspection.bulletins.document import sheets
from shared.auth import CurrentUser
from shared.clock import clock
from shared.db import SessionDep
from shared.printable import HTML_RESPONSES, html_response
from shared.spreadsheets import HeaderStyle, xlsx_response

router = APIRouter(prefix="/bulletins", tags=["monthly bulletin"])
Year = Annotated[int, Path(ge=2000, le=2100)]
Month = Annotated[int, Path(ge=1, le=12)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(b: service.Bulletin) -> schemas.BulletinOut:
    return schemas.bulletin_out(
        b.area_prefix,
        b.year,
        b.month,
        b.summary,
        b.inspections,
        b.findings_raised,
        b.rectifications_verified,
        b.overdue_open,
        b.accountability,
    )


@router.get("/{year}/{month}", response_model=schemas.BulletinOut)
async def bulletin(year: Year, month: Month, session: SessionDep, user: CurrentUser) -> schemas.BulletinOut:
    return _out(await service.monthly(session=session, actor=user, year=year, month=month))


@router.get("/{year}/{month}/document", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def bulletin_document(
    year: Year,
    month: Month,
    session: SessionDep,
    user: CurrentUser,
    headers: Annotated[HeaderStyle, Query(description="zh: Chinese sheets, headers and words; codes")] = "zh",
) -> Response:
    """The bulletin as XLSX: Chinese throughout, the header rows frozen."""
    b = _out(await service.monthly(session=session, actor=user, year=year, month=month))
    name = f"bulletin-{b.area_prefix or 'all'}-{year}-{month:02d}.xlsx"
    return xlsx_response(name, sheets(b, headers), headers=headers)


@router.get("/{year}/{month}/print", response_class=HTMLResponse, responses=HTML_RESPONSES)
async def bulletin_printable(
    year: Year, month: Month, session: SessionDep, user: CurrentUser
) -> HTMLResponse:
    """The bulletin as a printable document: the month's figures drawn as bars, then the lists;
    Chinese throughout (print it, or save it as PDF, from any browser)."""
    b = _out(await service.monthly(session=session, actor=user, year=year, month=month))
    return html_response(printable.bulletin_document(b, printed_on=clock.today()))
