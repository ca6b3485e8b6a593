from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.registry.areas import service
from services.registry.areas.schemas import AreaLoadOut, AreaOut, AreaTreeIn
from shared.auth import CurrentUser, Principal, require_roles
from shared.db import SessionDep
from shared.fields import AreaCodeText

router = APIRouter(prefix="/areas", tags=["areas"])


@router.post("", response_model=AreaLoadOut)
async def load_tree(
    body: AreaTreeIn, session: SessionDep, user: Annotated[Principal, Depends(require_roles("registrar"))]
) -> AreaLoadOut:
    return AreaLoadOut(upserted=await service.upsert_tree(session=session, actor=user, areas=body.areas))


@router.get("/{code}", response_model=AreaOut)
async def read_area(code: AreaCodeText, session: SessionDep, user: CurrentUser) -> AreaOut:
    return await service.read(session=session, actor=user, code=code)


@router.get("/{code}/children", response_model=list[AreaOut])
async def read_children(code: AreaCodeText, session: SessionDep, user: CurrentUser) -> list[AreaOut]:
    return await service.children(session=session, actor=user, code=code)
