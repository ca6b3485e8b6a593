"""HTTP for quarterly progress reports (季度进展报告): JSON, a workbook to download, submission
upward, and the parent's view of which children reported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from services.inspection.deps import Submitter
from services.inspection.models import ProgressReportSubmission
from services.inspection.progress import schemas, service
from services.inspection.progress.document import sheets
from shared.auth import CurrentUser
from shared.clock import clock
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN
from shared.idempotency import IdempotencyDep
from shared.spreadsheets import HeaderStyle, xlsx_response

router = APIRouter(prefix="/progress-reports", tags=["quarterly progress reports"])
AreaCodePath = Annotated[str, Path(pattern=AREA_CODE_PATTERN)]
YearQuery = Annotated[int, Query(ge=2014, le=2100)]
QuarterQuery = Annotated[int, Query(ge=1, le=4)]
YearPath = Annotated[int, Path(ge=2014, le=2100)]
QuarterPath = Annotated[int, Path(ge=1, le=4)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class QuarterOf:
    """An area's quarter, from the path ``/{area_code}/{year}/{quarter}``: ``**q.args`` for the service."""

    area_code: str
    year: int
    quarter: int

    @property
    def args(self) -> dict[str, Any]:
        return {"area_code": self.area_code, "year": self.year, "quarter": self.quarter}


async def _quarter_of(area_code: AreaCodePath, year: YearPath, quarter: QuarterPath) -> QuarterOf:
    return QuarterOf(area_code, year, quarter)


QuarterPathDep = Annotated[QuarterOf, Depends(_quarter_of)]


def _submission_out(s: ProgressReportSubmission) -> schemas.SubmissionOut:
    """The row as the answer: its columns, and its frozen figures as the report."""
    columns = {name: getattr(s, name) for name in schemas.SubmissionOut.model_fields if name != "report"}
    return schemas.SubmissionOut(**columns, report=schemas.ProgressReportOut.model_validate(s.figures))


@router.get("/{area_code}", response_model=schemas.ProgressReportOut)
async def progress_report(
    area_code: AreaCodePath, year: YearQuery, quarter: QuarterQuery, session: SessionDep, user: CurrentUser
) -> schemas.ProgressReportOut:
    """The quarter's and the year-to-date figures of an area in yours, one row per child area."""
    found = await service.report(session=session, actor=user, area_code=area_code, year=year, quarter=quarter)
    return schemas.ProgressReportOut.model_validate(found, from_attributes=True)


@router.get("/{area_code}/document", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def progress_report_document(
    area_code: AreaCodePath,
    year: YearQuery,
    quarter: QuarterQuery,
    session: SessionDep,
    user: CurrentUser,
    headers: Annotated[
        HeaderStyle, Query(description="zh: Chinese sheets and headers; codes: field names")
    ] = "zh",
) -> Response:
    """The report as XLSX: Chinese sheet names and headers, money in 元, the header row frozen."""
    found = await service.report(session=session, actor=user, area_code=area_code, year=year, quarter=quarter)
    r = schemas.ProgressReportOut.model_validate(found, from_attributes=True)
    name = f"progress-{r.area_code}-{year}-Q{quarter}.xlsx"
    return xlsx_response(name, sheets(r, headers), headers=headers)


@router.post(
    "/{area_code}/{year}/{quarter}/submission", response_model=schemas.SubmissionOut, status_code=201
)
async def submit(
    q: QuarterPathDep, body: schemas.SubmissionIn, session: SessionDep, user: Submitter, idem: IdempotencyDep
) -> schemas.SubmissionOut:
    """Submit the area's report upward: the figures are frozen as they stand. Once per quarter
    (409 `progress-report-already-submitted`); to change them, send `correction_reason`: a new
    version supersedes the current one."""
    submitted = await service.submit(session=session, actor=user, data=body, today=clock.today(), **q.args)
    return await idem.answer(_submission_out(submitted))


@router.get("/{area_code}/{year}/{quarter}/submission", response_model=schemas.SubmissionHistoryOut)
async def submission(
    q: QuarterPathDep, session: SessionDep, user: CurrentUser
) -> schemas.SubmissionHistoryOut:
    """The submitted report (current version, frozen figures) and every version before it."""
    versions = await service.submitted(session=session, actor=user, **q.args)
    return schemas.SubmissionHistoryOut(
        current=_submission_out(versions[-1]),
        versions=[schemas.SubmissionVersionOut.model_validate(v, from_attributes=True) for v in versions],
    )


@router.get("/{area_code}/{year}/{quarter}/submissions", response_model=schemas.SubmissionStatusOut)
async def submissions(
    q: QuarterPathDep, session: SessionDep, user: CurrentUser
) -> schemas.SubmissionStatusOut:
    """Which child areas have submitted the quarter's report and which are late."""
    found = await service.status(session=session, actor=user, today=clock.today(), **q.args)
    return schemas.SubmissionStatusOut.model_validate(found, from_attributes=True)
