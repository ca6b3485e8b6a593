"""County-approved projects paid from the county's integrated pool ("many channels in, one tap out")."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.rules import PAYABLE_HOUSEHOLD_STATUSES
from services.funds.errors import (
    ApprovalNeedsCounty,
    BeneficiaryNotFound,
    NoIndustryParticipationRule,
    NotAPool,
    ProjectNotFound,
    outside_your_area,
)
from services.funds.models import Project
from services.funds.policies.presets import INDUSTRY_PARTICIPATION_RULES
from services.funds.projects import rules
from services.funds.projects.repository import ProjectRepository
from services.funds.projects.schemas import (
    HouseholdWithoutProject,
    IndustryParticipationOut,
    ProjectHouseholdOut,
    ProjectIn,
)
from services.funds.sources.service import get_visible as get_account
from services.funds.vocabulary import ACCOUNT_KINDS
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.events.contracts import emit
from shared.http import check_if_match
from shared.repository import Slice

__all__ = ["add_household", "create", "get_visible", "industry_participation", "page", "transition"]


async def create(session: AsyncSession, *, actor: Principal, data: ProjectIn) -> Project:
    if not actor.covers(data.area_code):
        raise outside_your_area(data.area_code)
    pool = await get_account(session, actor=actor, code=data.funding_account)
    if pool.kind != "holding":
        raise NotAPool(
            f"{pool.code} is a {pool.kind} account",
            detail_zh=f"账户“{pool.name}”是{ACCOUNT_KINDS.get(pool.kind, pool.kind)}类账户，"
            "项目资金须从县级统筹整合资金账户拨付",
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


async def add_household(
    session: AsyncSession, *, actor: Principal, project_id: uuid.UUID, household_id: str
) -> ProjectHouseholdOut:
    """List a household as developing or joining the project (seed 004 四(三): 发展或参与…产业项目)."""
    project = await get_visible(session, actor=actor, project_id=project_id)
    household = await BeneficiaryRepository(session).get(("household", household_id))
    if household is None or not actor.covers(household.area_code):
        raise BeneficiaryNotFound(
            f"Household {household_id} is not registered in your area",
            detail_zh=f"您的辖区内没有在册贫困户 {household_id}",
            household_id=household_id,
        )
    await ProjectRepository(session).add_household(project.id, household_id, actor.sub)
    await audit.record(
        session,
        actor,
        "project.household_added",
        ("project", project.id),
        after={"household_id": household_id},
    )
    return ProjectHouseholdOut(project_id=project.id, household_id=household_id)


async def industry_participation(
    session: AsyncSession, *, actor: Principal, area_code: str | None
) -> IndustryParticipationOut:
    """The helped households of an area and those no industry project lists (seed 004 四(三))."""
    code = area_code or actor.area_code
    if not actor.covers(code):
        raise outside_your_area(code)
    rule = next((r for r in INDUSTRY_PARTICIPATION_RULES if r.covers(code)), None)
    if rule is None:
        raise NoIndustryParticipationRule(
            f"No policy for {code} asks its helped households to join industry projects",
            detail_zh=f"{code}没有要求帮扶对象至少参与1项产业项目的政策",
            area_code=code,
        )
    rows = await ProjectRepository(session).households_with_project_counts(
        area_prefix=AreaCode.parse(code).prefix,
        statuses=sorted(PAYABLE_HOUSEHOLD_STATUSES),
        categories=rule.categories,
        project_statuses=rules.COUNTED_PROJECT_STATUSES,
    )
    helped = {r.ref_id: r for r in rows if rule.applies_to(r.batches or [])}
    short = rules.without_enough_projects(rule, {h: r.projects for h, r in helped.items()})
    return IndustryParticipationOut(
        area_code=code,
        source=rule.source,
        min_projects=rule.min_projects,
        categories=list(rule.categories),
        households=len(helped),
        with_projects=len(helped) - len(short),
        without_projects=[
            HouseholdWithoutProject(household_id=h, area_code=helped[h].area_code, name=helped[h].name)
            for h in sorted(short, key=lambda h: (helped[h].area_code, h))
        ],
    )
