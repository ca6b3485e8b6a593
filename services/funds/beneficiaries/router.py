from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.funds import paging
from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.schemas import BeneficiaryOut
from shared import cadres
from shared.auth import AreaScope, CurrentUser
from shared.db import SessionDep
from shared.pagination import Cursor, Limit, Page, encode_cursor

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
    own = await (cadres.cadre_households if kind == "household" else cadres.cadre_villages)(session, user)
    rows = await BeneficiaryRepository(session).page(
        kind=kind, area_prefix=scope, after=paging.after_code(cursor), limit=limit + 1, refs=own
    )
    items = [BeneficiaryOut.model_validate(b) for b in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].ref_id) if len(rows) > limit else None)
