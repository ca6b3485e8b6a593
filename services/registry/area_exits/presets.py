"""The seeds' village and county exit criteria as policy records (loaded into the table on start).

Seed 003 (Gansu) 六: "贫困村退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑村内基础设施、基本公共服务、
产业发展、村容村貌等综合因素。贫困县退出以贫困发生率降至3%以下为主要衡量标准，统筹考虑县域内农村人口
住房、饮水、教育、医疗等综合因素。" Incidence is the main standard (以下: exactly 3% passes); the other
factors are 统筹考虑 — weighed together by those who sign, so they must be declared with evidence
but do not block on their own (``blocking=False``).

Seed 001 (Guangyuan) names "贫困村退出'一低五有'和贫困县摘帽'一低三有'" without spelling them out. The
definitions below are Sichuan's published ones, OUTSIDE THE SEEDS (check before production use):
村 一低 = 贫困发生率低于3%, 五有 = 有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络;
县 一低 = 贫困发生率低于3%, 三有 = 乡乡有标准中心校、有达标卫生院、有便民服务中心. 低于 excludes the
number: exactly 3% does not pass there.

Seed 004 (Kaiping, Chishui town) 六(一): "确保到2018年底，全市所有村委会集体可支配收入达到20万元以上。
其中，2016年达到15万元以上。2017年达到18万元以上。" (also 三(二): "确保到2018年全市村级集体可支配收入全部
达到20万元以上"). 以上 includes the number: 150,000 yuan meets 2016, 149,999.99 does not. The seed
sets it for every village committee of Kaiping (全市); here it is held against a poor village that
asks to exit (the registry's only village-level check), one record per year, 2018's figure in force
from then on. It is *disposable* income (可支配收入), not the operating income (经营性收入) the
registry records for Quanzhou's weak villages, so it is declared with evidence (the village
accounts), under its own code. Kaiping names no incidence figure: its records keep the national
default (3%以下, OUTSIDE THE SEEDS for Kaiping) beside the income, as a record applies whole.
"""

from __future__ import annotations

import json
from importlib import resources

from services.registry.area_exits.rules import (
    AreaExitKind,
    AreaExitPolicy,
    Comparison,
    CriterionSpec,
    Measure,
    Source,
)
from shared.money import yuan
from shared.policy_documents import CHISHUI_PLAN, GANSU_QINBA_PLAN, GUANGYUAN_MECHANISMS, SYSTEM_DEFAULT

__all__ = ["AREA_EXIT_PRESETS", "KAIPING", "KAIPING_COLLECTIVE_INCOME_YUAN"]

VILLAGE, COUNTY = AreaExitKind.VILLAGE, AreaExitKind.COUNTY


def _incidence(label: str, comparison: Comparison, bp: int = 300) -> CriterionSpec:
    return CriterionSpec("incidence", label, Measure.INCIDENCE, Source.REGISTRY, comparison, bp)


def _flag(code: str, label: str, label_en: str, *, blocking: bool = True) -> CriterionSpec:
    return CriterionSpec(code, label, Measure.FLAG, Source.DECLARED, blocking=blocking, label_en=label_en)


# Incidence at or below 3% (降至3%以下: exactly 3% passes): seed 003's main standard, the national
# default, and what Kaiping's records keep beside their income.
_AT_OR_BELOW_3_PERCENT = _incidence("贫困发生率降至3%以下", Comparison.AT_OR_BELOW)


def _amount(code: str, label: str, comparison: Comparison, fen: int, label_en: str) -> CriterionSpec:
    """A village's income of the year, declared with evidence (the village accounts)."""
    return CriterionSpec(code, label, Measure.AMOUNT, Source.DECLARED, comparison, fen, label_en=label_en)


_GANSU_SOURCE = (
    GANSU_QINBA_PLAN
    + "第十章第一节六：{what}以贫困发生率降至3%以下为主要衡量标准，统筹考虑{factors}等综合因素"
)

# Seed 003's 统筹考虑 factors of each exit are data (gansu_factors.json): per kind, whose exit, where,
# and each factor's [code, factor, in English]
_GANSU = json.loads((resources.files(__package__) / "gansu_factors.json").read_text(encoding="utf-8"))
_GANSU_FACTORS = [(AreaExitKind(kind), g["what"], g["within"], g["factors"]) for kind, g in _GANSU.items()]

KAIPING = "440783"
# Seed 004 六(一): year -> 村委会集体可支配收入 at or above (yuan); 2018's holds from then on.
KAIPING_COLLECTIVE_INCOME_YUAN = {2016: 150_000, 2017: 180_000, 2018: 200_000}


def _kaiping_village(year: int, amount_yuan: int) -> AreaExitPolicy:
    wan = amount_yuan // 10_000  # the seed writes 万元
    return AreaExitPolicy(
        area_prefix=KAIPING,
        year=year,
        kind=VILLAGE,
        source=f"{CHISHUI_PLAN}六(一)：全市所有村委会集体可支配收入{year}年达到{wan}万元以上；"
        f"贫困发生率3%以下为全国默认（{SYSTEM_DEFAULT}）",
        criteria=(
            _AT_OR_BELOW_3_PERCENT,
            _amount(
                "collective_disposable_income",
                f"村集体可支配收入达到{wan}万元以上",
                Comparison.AT_OR_ABOVE,
                yuan(amount_yuan),
                f"village collective disposable income of the year, at or above {amount_yuan:,} yuan",
            ),
        ),
    )


def _guangyuan(kind: AreaExitKind, name: str, haves: str, *criteria: CriterionSpec) -> AreaExitPolicy:
    """Seed 001's 一低N有 of a village or a county: incidence under 3% (低于: exactly 3% fails), then
    what it must have (as Sichuan defines them)."""
    source = (
        f"{GUANGYUAN_MECHANISMS}二(三)：{name}；各项含义按四川省公布的标准（{SYSTEM_DEFAULT}）："
        f"贫困发生率低于3%，{haves}"
    )
    under_3_percent = _incidence("一低: 贫困发生率低于3%", Comparison.BELOW)
    return AreaExitPolicy(
        area_prefix="5108", year=2016, kind=kind, source=source, criteria=(under_3_percent, *criteria)
    )


AREA_EXIT_PRESETS: tuple[AreaExitPolicy, ...] = (
    # Everywhere else: incidence alone, at or below 3% (the only number the seeds give; OUTSIDE
    # THE SEEDS as a national default).
    *(
        AreaExitPolicy(
            area_prefix="",
            year=2016,
            kind=kind,
            source=f"全国默认：贫困发生率降至3%以下（同{GANSU_QINBA_PLAN}第十章第一节六；{SYSTEM_DEFAULT}）",
            criteria=(_AT_OR_BELOW_3_PERCENT,),
        )
        for kind in (VILLAGE, COUNTY)
    ),
    *(
        AreaExitPolicy(
            area_prefix="62",
            year=2016,
            kind=kind,
            source=_GANSU_SOURCE.format(what=what, factors=within + "、".join(zh for _, zh, _ in factors)),
            criteria=(
                _AT_OR_BELOW_3_PERCENT,
                *(_flag(code, zh, en, blocking=False) for code, zh, en in factors),
            ),
        )
        for kind, what, within, factors in _GANSU_FACTORS
    ),
    _guangyuan(
        VILLAGE,
        "贫困村退出“一低五有”",
        "有集体经济收入、有硬化路、有卫生室、有文化室、有通信网络",
        _amount(
            "collective_income",
            "有集体经济收入",
            Comparison.ABOVE,
            0,
            "village collective income of the year, above 0",
        ),
        _flag("hardened_road", "有硬化路", "a hardened road"),
        _flag("clinic", "有卫生室", "a village clinic"),
        _flag("culture_room", "有文化室", "a culture room"),
        _flag("communication_network", "有通信网络", "a communication network"),
    ),
    _guangyuan(
        COUNTY,
        "贫困县摘帽“一低三有”",
        "乡乡有标准中心校、有达标卫生院、有便民服务中心",
        _flag("township_central_schools", "乡乡有标准中心校", "a standard central school per township"),
        _flag("township_health_centers", "乡乡有达标卫生院", "a qualified health centre per township"),
        _flag("service_centers", "乡乡有便民服务中心", "a service centre per township"),
    ),
    *(_kaiping_village(year, amount) for year, amount in KAIPING_COLLECTIVE_INCOME_YUAN.items()),
)
