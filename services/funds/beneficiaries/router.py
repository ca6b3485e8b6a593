from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.funds.beneficiaries import service
from services.funds.beneficiaries.schemas import BeneficiaryOut
from shared.answers import AreaPage, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.pagination import Page

router = APIRouter(prefix="/beneficiaries", tags=["beneficiaries"])


@router.get("", response_model=Page[BeneficiaryOut])
async def list_beneficiaries(
    session: SessionDep, user: CurrentUser, q: AreaPage, kind: Literal["household", "village"] = "household"
) -> Page[BeneficiaryOut]:
    return page_of(BeneficiaryOut, await service.page(session, actor=user, kind=kind, **q.args))
