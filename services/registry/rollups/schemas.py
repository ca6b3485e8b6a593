from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, computed_field
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import to_json

from services.registry.policies.rules import IncomeThreshold

# The village and household rows are the rules' dataclasses themselves (same names, same fields in
# the OpenAPI document), so a field is declared once.
from services.registry.rollups.rules import (
    PYRAMID_ZH,
    HouseholdTarget,
    Rollup,
    WeakVillages,
)
from services.registry.vocabulary import CODE_LABELS
from shared.areas import LEVEL_ZH


class Count(BaseModel):
    # null: suppressed for an outside reader (see the answer's `suppressed` list)
    households: int | None
    persons: int | None


class SuppressedCell(BaseModel):
    """A figure left out of an answer for an outside reader, and why (small-cell suppression)."""

    path: str  # the field in the answer: "by_cause.illness", "children.440783101201.poor_households"
    reason: str  # primary: fewer than k households; secondary: would be the difference of published figures
    reason_zh: str  # "小于5户" / "防止由合计推算（次级隐藏）"


def rollup_labels(rollup: Any) -> dict[str, str]:
    """Every code a roll-up shows (its level, pyramid level, and the keys of by_status, by_cause and
    by_batch) in the clerk's words: {"village": "村", "register": "村有册", "illness": "因病", …}."""
    keys = [rollup.level, rollup.pyramid_level, *rollup.by_status, *rollup.by_cause, *rollup.by_batch]
    words = {**CODE_LABELS, **LEVEL_ZH, **PYRAMID_ZH}
    return {k: words[k] for k in keys if k in words}


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
    poor_households: int | None  # null: suppressed (fewer than k households, outside readers only)
    poor_persons: int | None
    rural_population: int | None
    incidence_bp: int | None  # basis points: 251 = 2.51%
    exit_incidence_threshold_bp: int
    meets_exit_incidence: bool | None
    # villages (贫困村退出) and counties (摘帽) under this area whose exit was verified, per year
    # assessed (services/registry/area_exits): {"2018": 3}
    exited_villages_by_year: dict[str, int] = {}
    exited_counties_by_year: dict[str, int] = {}
    # exact: every figure as counted (internal roles); false: small cells suppressed (outside readers)
    exact: bool = True
    min_cell_households: int | None = None  # k of the policy in force, when suppressed
    suppressed: list[SuppressedCell] = []
    # after the counted fields, as pydantic serialises a computed field (rollup_json adds it so too)
    labels: ClassVar[dict[str, str]] = computed_field(return_type=dict[str, str])(
        property(rollup_labels)  # type: ignore[arg-type]  # a property, as shared.vocabulary.label_field
    )


_ROLLUP_FIELDS = tuple(RollupOut.model_fields)


def rollup_json(rollup: Rollup) -> bytes:
    """The JSON of ``RollupOut`` over the rules' ``Rollup`` (its counts and suppressed cells the
    rules' dataclasses, of the same fields in the same order), byte for byte what the model
    serialises (tests/registry/unit/test_rollup_json.py), without validating the summary into the
    model first: its fields in the model's order (the rules' dataclass has its suppression first)."""
    fields = {name: getattr(rollup, name) for name in _ROLLUP_FIELDS}
    for name in _COUNT_FIELDS:  # as plain objects: pydantic serialises a dataclass a third as fast
        cells = fields[name]
        fields[name] = {key: {"households": c.households, "persons": c.persons} for key, c in cells.items()}
    return to_json(fields | {"labels": rollup_labels(rollup)})


# RollupOut's fields of Count cells (households, persons: Count's fields, in its order)
_COUNT_FIELDS = ("by_status", "by_cause", "by_batch", "entries_by_year", "exits_by_year")


class PyramidOut(BaseModel):
    area: RollupOut
    children: list[RollupOut]
    exact: bool = True
    min_cell_households: int | None = None
    suppressed: list[SuppressedCell] = []  # paths start with "area." or "children.<code>."


class VillageChartsOut(BaseModel):
    """853's five charts for one village, as data."""

    area_code: str
    year: int
    distribution: dict[str, Count]  # 贫困人口分布图: by status
    causes: dict[str, Count]  # 致贫原因表
    in_out: dict[str, dict[str, Count]]  # 进出动态图: year -> entries / exits
    village_target: dict[str, object]  # 全村脱贫目标任务图
    household_targets: list[HouseholdTarget]  # 贫困户脱贫目标任务表 (empty for outside readers)
    exact: bool = True
    min_cell_households: int | None = None
    suppressed: list[SuppressedCell] = []


# The threshold and the weak-village answer are the rules' dataclasses under the answers' names (the
# same schemas); a pydantic dataclass keeps the answer's description.
@dataclass(frozen=True)
class IncomeThresholdOut(IncomeThreshold):
    pass


@pydantic_dataclass(frozen=True, kw_only=True)
class WeakVillagesOut(WeakVillages):
    """Villages under an area whose collective operating income is under the threshold in force."""

    threshold: IncomeThresholdOut | None  # null: none in force at the area (see explanation)


class IncomeShareOut(BaseModel):
    """开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》三(一):
    力争每年有30%以上的有劳动能力贫困户年人均可支配收入超过当地城乡年人均收入的45%."""

    area_code: str
    year: int
    local_income_fen: int  # the local per-capita income the reader gave (not in the seeds)
    line_fen: int  # income_share_bp of it, rounded up to whole fen (the comparison itself is exact)
    income_share_bp: int  # 4500 = 45%
    income_comparison: str  # above (超过): a household exactly on the line is not over it
    households_share_bp: int  # 3000 = 30%
    households_comparison: str  # at_or_above (以上): 30% itself meets the target
    # null for an outside reader when a figure counts fewer than k households (small cells)
    labour_capable_households: int | None  # poor households with an ordinary or weak labourer
    households_over_line: int | None
    households_without_income: int | None  # no income record for the year: counted, not over
    share_bp: int | None  # over / labour-capable, half up; null: no labour-capable household
    meets_target: bool | None  # exact comparison; null: no labour-capable household
    source: str


class TransferEmploymentOut(BaseModel):
    """《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》七个一批 注2:
    转移就业脱贫为贫困户户表信息中年龄在18-60岁、有劳动能力、非在校生且有务工信息贫困人口的统计数据 —
    counted from the household table on the day read."""

    area_code: str
    on: date  # the day the ages are read on
    min_age: int  # 18, included
    max_age: int  # 60, included (until the 61st birthday)
    # null for an outside reader when fewer than k households (small cells)
    households: int | None  # poor households with at least one such person
    persons: int | None  # poor people aged min-max, with labour capacity, not in school, with work info
    source: str


class KeyTargetCountsOut(BaseModel):
    area_code: str
    area_name: str  # as the area tree names it (步栏村)
    # null for an outside reader when a count is of fewer than k households (small cells)
    dibao_households: int | None  # poor households marked 低保 (纳入扶贫工作范围)
    dibao_persons: int | None
    key_target_households: int | None  # of them, labour-capable and willing (重点帮扶对象)
    key_target_persons: int | None
    willingness_unknown_households: int | None  # labour-capable 低保 households, willingness not recorded
    disabled_capable_persons: int | None  # labour-capable people with a disability in 低保 households


class KeyTargetHouseholdOut(BaseModel):
    household_id: str
    household_number: str | None
    area_code: str
    head_name_masked: str
    member_count: int


class KeyTargetsOut(KeyTargetCountsOut):
    """开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》五(一):
    对全镇低保对象全面开展建档立卡工作，并在此基础上将有劳动能力且愿意接受帮扶的低保户识别出来，
    作为本轮精准扶贫的重点帮扶对象 — identified among registered households,
    never a reason to refuse one."""

    children: list[KeyTargetCountsOut]
    households: list[KeyTargetHouseholdOut]  # the key targets, by area; empty for an outside reader
    next_cursor: str | None
    source: str
