from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from services.registry.rollups import service
from services.registry.rollups.schemas import PyramidOut, RollupOut, VillageChartsOut
from shared.auth import CurrentUser
from shared.db import SessionDep

router = APIRouter(prefix="/rollups", tags=["rollups"])
Year = Query(
    default_factory=lambda: date.today().year, ge=2014, le=2100, description="policy year for the threshold"
)


@router.get("/{area_code}", response_model=RollupOut)
async def area_rollup(area_code: str, session: SessionDep, user: CurrentUser, year: int = Year) -> RollupOut:
    return await service.rollup(session=session, actor=user, code=area_code, year=year)


@router.get("/{area_code}/pyramid", response_model=PyramidOut)
async def area_pyramid(
    area_code: str, session: SessionDep, user: CurrentUser, year: int = Year
) -> PyramidOut:
    return await service.pyramid(session=session, actor=user, code=area_code, year=year)


@router.get("/{area_code}/charts", response_model=VillageChartsOut)
async def village_charts(
    area_code: str, session: SessionDep, user: CurrentUser, year: int = Year
) -> VillageChartsOut:
    return await service.village_charts(session=session, actor=user, code=area_code, year=year)
