from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.funds.deps import Finance
from services.funds.projects import service
from services.funds.projects.schemas import ProjectIn, ProjectOut, ProjectTransitionIn
from shared import cadres
from shared.auth import AreaScope, CurrentUser
from shared.db import SessionDep
from shared.http import IfMatch, etag
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/projects", tags=["projects"], dependencies=[cadres.CADRE_READS_REFUSED])


@router.post("", status_code=201, response_model=ProjectOut)
async def create_project(
    body: ProjectIn, session: SessionDep, user: Finance, idem: IdempotencyDep, response: Response
) -> ProjectOut:
    project = await service.create(session, actor=user, data=body)
    response.headers["ETag"] = etag(project.version)
    out = ProjectOut.model_validate(project)
    await idem.save(201, out)
    return out


@router.post("/{project_id}/status", response_model=ProjectOut)
async def change_status(
    project_id: uuid.UUID,
    body: ProjectTransitionIn,
    session: SessionDep,
    user: Finance,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectOut:
    project = await service.transition(
        session, actor=user, project_id=project_id, target=body.status, if_match=if_match
    )
    response.headers["ETag"] = etag(project.version)
    return ProjectOut.model_validate(project)


@router.get("", response_model=Page[ProjectOut])
async def list_projects(
    session: SessionDep, scope: AreaScope, limit: Limit = 50, cursor: Cursor = None
) -> Page[ProjectOut]:
    projects = await service.page(session, area_prefix=scope, cursor=cursor, limit=limit)
    return Page[ProjectOut](**projects.map(ProjectOut.model_validate))


@router.get("/{project_id}", response_model=ProjectOut)
async def get_project(
    project_id: uuid.UUID, session: SessionDep, user: CurrentUser, response: Response
) -> ProjectOut:
    project = await service.get_visible(session, actor=user, project_id=project_id)
    response.headers["ETag"] = etag(project.version)
    return ProjectOut.model_validate(project)
