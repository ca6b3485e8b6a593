from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.registry.areas.service import parse_code
from services.registry.policies import service
from services.registry.policies.schemas import PolicyOut, PolicyRecordIn
from shared.auth import CurrentUser, Principal, require_roles
from shared.db import SessionDep
from shared.errors import Forbidden

router = APIRouter(prefix="/policies", tags=["policies"])


@router.get("/{area_code}/{year}", response_model=PolicyOut)
async def resolved_policy(area_code: str, year: int, session: SessionDep, user: CurrentUser) -> PolicyOut:
    code = parse_code(area_code)
    return service.to_out(await service.resolve(session=session, area_code=code, year=year))


@router.put("", status_code=204)
async def put_policy_record(
    body: PolicyRecordIn, session: SessionDep, user: Annotated[Principal, Depends(require_roles("admin"))]
) -> None:
    # Nationwide defaults come from the presets (policies/presets.py), not from one province's admin.
    if not body.area_prefix or not user.covers(body.area_prefix.ljust(12, "0")):
        raise Forbidden("you may set policy only for your own area")
    await service.put_record(session=session, actor=user, data=body)
