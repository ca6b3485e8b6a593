"""County-approved projects paid from the county's integrated pool ("many channels in, one tap out")."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.errors import ApprovalNeedsCounty, NotAPool, ProjectNotFound
from services.funds.models import Project
from services.funds.projects import rules
from services.funds.projects.repository import ProjectRepository
from services.funds.projects.schemas import ProjectIn
from services.funds.sources.service import get_visible as get_account
from shared import audit
from shared.auth import Principal
from shared.events.contracts import emit
from shared.http import check_if_match
from shared.repository import Slice

__all__ = ["create", "get_visible", "page", "transition"]


async def create(session: AsyncSession, *, actor: Principal, data: ProjectIn) -> Project:
    if not actor.covers(data.area_code):
        raise ProjectNotFound(f"Area {data.area_code} is outside your area", area_code=data.area_code)
    pool = await get_account(session, actor=actor, code=data.funding_account)
    if pool.kind != "holding":
        raise NotAPool(
            f"{pool.code} is a {pool.kind} account",
            detail_zh=f"{pool.code}是{pool.kind}类账户，项目资金须从县级统筹整合资金账户拨付",
            account=pool.code,
        )
    project = Project(id=uuid.uuid4(), status="proposed", **data.model_dump())
    await ProjectRepository(session).add(project, refresh=True)
    await audit.record(session, actor, "project.proposed", ("project", project.id), after=data.model_dump())
    return project


async def get_visible(
    session: AsyncSession, *, actor: Principal, project_id: uuid.UUID, lock: bool = False
) -> Project:
    missing = ProjectNotFound(f"Project {project_id} does not exist in your area", project_id=str(project_id))
    return await ProjectRepository(session).get_in_area(project_id, actor, missing, lock=lock)


async def page(session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Project]:
    return await ProjectRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)


async def transition(
    session: AsyncSession, *, actor: Principal, project_id: uuid.UUID, target: str, if_match: str | None
) -> Project:
    project = await get_visible(session, actor=actor, project_id=project_id, lock=True)
    check_if_match(if_match, project.version)
    rules.check_transition(project.status, target)
    # approval is decentralised to counties (seed 003 §四): a township or village login cannot approve
    if target == "approved" and actor.area.level.value not in ("province", "city", "county"):
        raise ApprovalNeedsCounty(
            "Only county (or higher) finance officers approve projects",
            detail_zh="只有县级（或以上）财务人员能审批项目",
        )
    project.version += 1
    if target == "approved":
        project.approved_by = actor.sub
    await audit.record_update(
        session, actor, f"project.{target}", ("project", project.id), project, status=target
    )
    await emit(
        session,
        fund_events.ProjectStatusChanged.model_validate(
            {
                "project_id": str(project.id),
                "area_code": project.area_code,
                "status": target,
                "budget_fen": project.budget_fen,
            }
        ),
        subject=str(project.id),
    )
    return project
