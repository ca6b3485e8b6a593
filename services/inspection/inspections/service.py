"""Use cases of inspections: plan, raise findings during it, conclude."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.errors import InspectionNotFound, missing_in_your_area
from services.inspection.findings import service as finding_service
from services.inspection.findings.schemas import FindingIn
from services.inspection.inspections import rules
from services.inspection.inspections.repository import InspectionRepository
from services.inspection.inspections.schemas import InspectionIn
from services.inspection.models import Finding, Inspection
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.repository import Slice


async def _load(
    session: AsyncSession, actor: Principal, inspection_id: uuid.UUID, lock: bool = False
) -> Inspection:
    found = await InspectionRepository(session).visible(inspection_id, actor.area_code, lock=lock)
    if found is None:
        raise missing_in_your_area(InspectionNotFound, "Inspection", "督查", inspection_id=inspection_id)
    return found


async def plan(*, session: AsyncSession, actor: Principal, data: InspectionIn) -> Inspection:
    team_roles = tuple(m.role for m in data.team)
    rules.check_plan(
        rules.InspectionPlan(data.kind, data.starts_on, data.ends_on, tuple(data.target_areas), team_roles),
        actor.area_prefix,
    )
    inspection = await InspectionRepository(session).add(
        Inspection(
            area_code=actor.area_code,
            **data.model_dump(include={"kind", "title", "starts_on", "ends_on"}),
            target_areas=list(dict.fromkeys(data.target_areas)),
            target_prefixes=sorted({_prefix(t) for t in data.target_areas}),
            team=[m.model_dump() for m in data.team],
            status="planned",
            created_by=actor.sub,
        )
    )
    await audit.record(
        session, actor, "inspection.planned", ("inspection", inspection.id), after=data.model_dump()
    )
    return inspection


async def get(*, session: AsyncSession, actor: Principal, inspection_id: uuid.UUID) -> Inspection:
    return await _load(session, actor, inspection_id)


async def list_page(
    *, session: AsyncSession, actor: Principal, cursor: str | None, limit: int
) -> Slice[Inspection]:
    return await InspectionRepository(session).page(area_code=actor.area_code, cursor=cursor, limit=limit)


async def conclude(
    *, session: AsyncSession, actor: Principal, inspection_id: uuid.UUID, today: date
) -> Inspection:
    inspection = await _load(session, actor, inspection_id, lock=True)
    rules.ensure_open(inspection.status)
    rules.ensure_started(inspection.starts_on, today, doing="conclude it", doing_zh="开始前不能结束")
    await audit.record_update(
        session,
        actor,
        "inspection.concluded",
        ("inspection", inspection.id),
        inspection,
        status="concluded",
        concluded_on=today,
    )
    return inspection


async def add_finding(
    *, session: AsyncSession, actor: Principal, inspection_id: uuid.UUID, data: FindingIn, today: date
) -> Finding:
    inspection = await _load(session, actor, inspection_id, lock=True)
    rules.ensure_open(inspection.status)
    rules.ensure_started(
        inspection.starts_on, today, doing="record its findings", doing_zh="开始后才能登记发现的问题"
    )
    if not any(data.area_code.startswith(_prefix(t)) for t in inspection.target_areas):
        raise InvalidInput(
            "A finding must lie in one of the inspection's target areas.",
            detail_zh="问题所在地区须是本次督查的地区之一",
            target_areas=inspection.target_areas,
        )
    return await finding_service.raise_finding(
        session=session, actor=actor, data=data, inspection_id=inspection.id, today=today
    )


def _prefix(code: str) -> str:
    return AreaCode.parse(code).prefix
