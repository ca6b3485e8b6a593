from __future__ import annotations

from pydantic import BaseModel


class Count(BaseModel):
    households: int
    persons: int


class RollupOut(BaseModel):
    area_code: str
    area_name: str
    level: str
    pyramid_level: str  # register / book / file / volume / database
    by_status: dict[str, Count]
    by_cause: dict[str, Count]
    by_batch: dict[str, Count]
    entries_by_year: dict[str, Count]
    exits_by_year: dict[str, Count]
    poor_households: int
    poor_persons: int
    rural_population: int | None
    incidence_bp: int | None  # basis points: 251 = 2.51%
    exit_incidence_threshold_bp: int
    meets_exit_incidence: bool | None


class PyramidOut(BaseModel):
    area: RollupOut
    children: list[RollupOut]


class HouseholdTarget(BaseModel):
    household_id: str
    household_number: str | None
    head_name_masked: str
    member_count: int
    status: str
    plan_year: int
    poverty_causes: list[str]


class VillageChartsOut(BaseModel):
    """853's five charts for one village, as data."""

    area_code: str
    year: int
    distribution: dict[str, Count]  # 贫困人口分布图: by status
    causes: dict[str, Count]  # 致贫原因表
    in_out: dict[str, dict[str, Count]]  # 进出动态图: year -> entries / exits
    village_target: dict[str, object]  # 全村脱贫目标任务图
    household_targets: list[HouseholdTarget]  # 贫困户脱贫目标任务表
