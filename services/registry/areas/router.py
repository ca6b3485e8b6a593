from __future__ import annotations

from fastapi import APIRouter

from services.registry.areas import schemas, service
from services.registry.deps import Registrar
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.fields import AreaCodeText
from shared.shaping import from_row

router = APIRouter(prefix="/areas", tags=["areas"])


def _out(view: service.AreaView) -> schemas.AreaOut:
    area, income = view.area, view.income
    year, fen = income if income else (None, None)
    return from_row(schemas.AreaOut, area, collective_income_year=year, collective_income_fen=fen)


@router.post("", response_model=schemas.AreaLoadOut)
async def load_tree(body: schemas.AreaTreeIn, session: SessionDep, user: Registrar) -> schemas.AreaLoadOut:
    return schemas.AreaLoadOut(
        upserted=await service.upsert_tree(session=session, actor=user, areas=body.areas)
    )


@router.get("/{code}", response_model=schemas.AreaOut)
async def read_area(code: AreaCodeText, session: SessionDep, user: CurrentUser) -> schemas.AreaOut:
    return _out(await service.read(session=session, actor=user, code=code))


@router.get("/{code}/children", response_model=list[schemas.AreaOut])
async def read_children(code: AreaCodeText, session: SessionDep, user: CurrentUser) -> list[schemas.AreaOut]:
    return [_out(v) for v in await service.children(session=session, actor=user, code=code)]
