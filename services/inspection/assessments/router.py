"""HTTP for yearly assessments and the reduction targets they measure against."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.inspection.assessments import schemas, service
from services.inspection.deps import Inspector as Assessor
from services.inspection.deps import InspectorWrite as AssessorWrite
from shared.answers import ListRead, page_of
from shared.auth import CurrentUser
from shared.clock import clock
from shared.db import SessionDep
from shared.fields import AREA_CODE_PATTERN, COUNTY_OR_BELOW_PATTERN
from shared.http import etag
from shared.pagination import Page

router = APIRouter(prefix="/assessments", tags=["yearly assessment"])


def _out(assessed: service.Assessed) -> schemas.AssessmentOut:
    return schemas.assessment_out(assessed.result, assessed.admonishments)


AreaCodePath = Annotated[str, Path(pattern=AREA_CODE_PATTERN)]
# What is assessed and given targets: a county, township or village (an area is assessed from above).
AssessedAreaPath = Annotated[
    str, Path(pattern=COUNTY_OR_BELOW_PATTERN, description="a county, township or village")
]
YearPath = Annotated[int, Path(ge=2014, le=2100)]


@router.put("/targets/{area_code}/{year}", response_model=schemas.TargetOut)
async def set_target(
    area_code: AssessedAreaPath,
    year: YearPath,
    body: schemas.TargetIn,
    write: AssessorWrite,
) -> schemas.TargetOut:
    """Set an area's reduction target for a year: creating it needs no If-Match; changing it needs
    the ETag you read (`GET` the same path) in If-Match (428 without, 412 if changed meanwhile)."""
    out = schemas.target_out(
        await service.set_target(**write.args, area_code=area_code, year=year, people=body.people)
    )
    write.tag(out.version)
    return out


@router.get("/targets/{area_code}/{year}", response_model=schemas.TargetOut)
async def get_target(
    area_code: AreaCodePath, year: YearPath, session: SessionDep, user: CurrentUser, response: Response
) -> schemas.TargetOut:
    out = schemas.target_out(
        await service.get_target(session=session, actor=user, area_code=area_code, year=year)
    )
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("/preview", response_model=schemas.PreviewOut)
async def preview(
    session: SessionDep,
    user: CurrentUser,
    area_code: Annotated[
        str, Query(pattern=COUNTY_OR_BELOW_PATTERN, description="a county, township or village")
    ],
    year: Annotated[int, Query(ge=2014, le=2100)],
    qualitative_score: Annotated[int | None, Query(ge=0, le=100)] = None,
) -> schemas.PreviewOut:
    found = await service.preview(
        session=session, actor=user, area_code=area_code, year=year, qualitative_score=qualitative_score
    )
    return schemas.preview_out(found.area, found.year, found.result)


@router.post("", response_model=schemas.AssessmentOut, status_code=201)
async def assess(body: schemas.AssessmentIn, session: SessionDep, user: Assessor) -> schemas.AssessmentOut:
    """Assess one area for a year; a year not yet begun (China date) is 422 `date-in-future`."""
    return _out(await service.assess(session=session, actor=user, data=body, today=clock.today()))


@router.post("/runs", response_model=schemas.RunOut)
async def run(body: schemas.RunIn, session: SessionDep, user: Assessor) -> schemas.RunOut:
    """Assess every known area of a level below you for the year (bounded batch; call again); a year
    not yet begun (China date) is 422 `date-in-future`."""
    done = await service.run(session=session, actor=user, data=body, today=clock.today())
    return schemas.RunOut(
        year=done.year, level=done.level, assessed=[_out(a) for a in done.assessed], more=done.more
    )


@router.get("", response_model=Page[schemas.AssessmentOut])
async def list_assessments(
    read: ListRead, year: Annotated[int | None, Query(ge=2014, le=2100)] = None
) -> Page[schemas.AssessmentOut]:
    found = await service.list_page(**read.args, year=year)
    return page_of(lambda r: schemas.assessment_out(r, []), found)
