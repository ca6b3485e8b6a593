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
    # villages (贫困村退出) and counties (摘帽) under this area whose exit was verified, per year
    # assessed (services/registry/area_exits): {"2018": 3}
    exited_villages_by_year: dict[str, int] = {}
    exited_counties_by_year: dict[str, int] = {}


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


class IncomeThresholdOut(BaseModel):
    income_fen: int
    inclusive: bool  # true: a village at exactly income_fen is weak too (以下); false: only under it (低于)
    area_prefix: str  # the policy record that sets it
    year: int
    source: str


class VillageFlags(BaseModel):
    area_code: str
    name: str
    parent_code: str | None
    poor_village: bool  # 贫困村
    old_area_village: bool  # 老区村
    key_village: bool
    threshold_fen: int
    threshold_inclusive: bool


class WeakVillage(VillageFlags):
    collective_income_fen: int
    gap_fen: int  # the smallest increase that takes it out of the weak set


class VillageCounts(BaseModel):
    villages: int = 0
    weak: int = 0
    not_weak: int = 0
    unknown: int = 0  # no collective income recorded for the year
    no_threshold: int = 0  # no threshold in force where the village is
    gap_fen: int = 0  # sum of the weak villages' gaps


class ChildVillageCounts(VillageCounts):
    area_code: str
    area_name: str


class WeakVillagesOut(BaseModel):
    """Villages under an area whose collective operating income is under the threshold in force."""

    area_code: str
    area_name: str
    level: str
    year: int
    threshold: IncomeThresholdOut | None  # in force at the area itself; null: none (see explanation)
    explanation: str | None
    totals: VillageCounts
    children: list[ChildVillageCounts]
    weak: list[WeakVillage]  # this page's weak villages, by code
    unknown: list[VillageFlags]  # this page's villages with no income recorded for the year
    next_cursor: str | None
