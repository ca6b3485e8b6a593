"""HTTP routes of cadre workload."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from services.pairing.deps import Office, TodayDep
from services.pairing.workload import schemas, service
from shared.auth import CurrentUser
from shared.db import SessionDep

router = APIRouter(tags=["workload"])


@router.get("/workload/me", response_model=schemas.WorkloadOut)
async def my_workload(session: SessionDep, user: CurrentUser, today: TodayDep) -> dict[str, Any]:
    """A cadre's own households, visits per month and overdue visits."""
    # the response model (WorkloadOut, the service's Workload by its API name) validates the fields
    return asdict(await service.mine(session=session, actor=user, today=today))


@router.get("/helpers/{helper_id}/workload", response_model=schemas.WorkloadOut)
async def helper_workload(
    helper_id: uuid.UUID, session: SessionDep, user: Office, today: TodayDep
) -> dict[str, Any]:
    return asdict(await service.of_helper(session=session, actor=user, helper_id=helper_id, today=today))
