from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.funds.beneficiaries import service
from services.funds.beneficiaries.schemas import BeneficiaryOut
from shared.answers import page_of
from shared.auth import AreaScope, CurrentUser
from shared.db import SessionDep
from shared.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/beneficiaries", tags=["beneficiaries"])


@router.get("", response_model=Page[BeneficiaryOut])
async def list_beneficiaries(
    session: SessionDep,
    scope: AreaScope,
    user: CurrentUser,
    kind: Literal["household", "village"] = "household",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[BeneficiaryOut]:
    rows = await service.page(session, actor=user, kind=kind, area_prefix=scope, cursor=cursor, limit=limit)
    return page_of(BeneficiaryOut, rows)
