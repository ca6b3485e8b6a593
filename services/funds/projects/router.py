from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.funds.deps import Finance, FinanceWrite
from services.funds.projects import schemas, service
from shared import cadres
from shared.answers import AreaPage, page_of, tagged
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.fields import AreaCodeText
from shared.idempotency import IdempotencyDep
from shared.pagination import Page

router = APIRouter(prefix="/projects", tags=["projects"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("", status_code=201, response_model=schemas.ProjectOut)
async def create_project(
    body: schemas.ProjectIn, session: SessionDep, user: Finance, idem: IdempotencyDep, response: Response
) -> schemas.ProjectOut:
    return await idem.answer(
        tagged(response, schemas.ProjectOut, await service.create(session, actor=user, data=body))
    )


@router.post("/{project_id}/status", response_model=schemas.ProjectOut)
async def change_status(
    project_id: uuid.UUID,
    body: schemas.ProjectTransitionIn,
    write: FinanceWrite,
) -> schemas.ProjectOut:
    project = await service.transition(**write.args, project_id=project_id, target=body.status)
    return write.tagged(schemas.ProjectOut, project)


@router.get("", response_model=Page[schemas.ProjectOut])
async def list_projects(session: SessionDep, q: AreaPage) -> Page[schemas.ProjectOut]:
    return page_of(schemas.ProjectOut, await service.page(session, **q.args))


@router.post("/{project_id}/households", status_code=201, response_model=schemas.ProjectHouseholdOut)
async def add_household(
    project_id: uuid.UUID, body: schemas.ProjectHouseholdIn, session: SessionDep, user: Finance
) -> schemas.ProjectHouseholdOut:
    """A registered household develops or joins the project.

    开平市《赤水镇…实施方案(2016-2018年)》四(三)：发展或参与…产业项目."""
    return await service.add_household(
        session, actor=user, project_id=project_id, household_id=body.household_id
    )


@router.get("/industry-participation", response_model=schemas.IndustryParticipationOut)
async def industry_participation(
    session: SessionDep, user: CurrentUser, area_code: AreaCodeText | None = None
) -> schemas.IndustryParticipationOut:
    """Helped households no industry project lists (开平市《赤水镇…实施方案(2016-2018年)》四(三)：
    至少发展或参与1项…产业项目); 422 where no policy of the area (the caller's, or `area_code`)
    asks for it."""
    return await service.industry_participation(session, actor=user, area_code=area_code)


@router.get("/{project_id}", response_model=schemas.ProjectOut)
async def get_project(
    project_id: uuid.UUID, session: SessionDep, user: CurrentUser, response: Response
) -> schemas.ProjectOut:
    return tagged(
        response, schemas.ProjectOut, await service.get_visible(session, actor=user, project_id=project_id)
    )
