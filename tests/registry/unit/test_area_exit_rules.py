"""Village and county exit criteria (seed 003 Gansu 降至3%以下; seed 001 Guangyuan 一低五有/一低三有)."""

from __future__ import annotations

import pytest

from services.registry.area_exits.presets import AREA_EXIT_PRESETS
from services.registry.area_exits.rules import (
    AreaExitKind,
    AreaFacts,
    Comparison,
    CriterionSpec,
    Declared,
    Measure,
    NoAreaExitPolicy,
    Source,
    assess_area_exit,
    check_declarations,
    compare,
    label_words,
    resolve_area_exit_policy,
)

GANSU_VILLAGE = "620521101203"
GUANGYUAN_VILLAGE = "510802101201"
KAIPING_VILLAGE = "440783101201"
EVIDENCE = ("县扶贫办验收单 2018-001",)


def policy(area: str, kind: AreaExitKind = AreaExitKind.VILLAGE, year: int = 2018):
    return resolve_area_exit_policy(AREA_EXIT_PRESETS, area_code=area, year=year, kind=kind)


def by_code(result):
    return {c.criterion: c for c in result.criteria}


GANSU_DECLARED = {
    code: Declared(True, EVIDENCE)
    for code in ("infrastructure", "public_services", "industry", "village_appearance")
}


@pytest.mark.parametrize(
    ("poor", "rural", "passes"),
    [
        (30, 1_000, True),  # exactly 3.00%: 降至3%以下 includes 3%
        (301, 10_000, False),  # 3.01%
        (9, 300, True),  # 3.00%
        (9, 299, False),  # 3.0100…%
        (0, 500, True),
    ],
)
def test_gansu_village_incidence_at_or_below_3_percent_exactly(poor: int, rural: int, passes: bool) -> None:
    result = assess_area_exit(AreaFacts(poor, rural, GANSU_DECLARED), policy(GANSU_VILLAGE))
    incidence = by_code(result)["incidence"]
    assert incidence.passed is passes
    assert incidence.comparison == "at_or_below"
    assert incidence.threshold == 300
    assert incidence.value == f"{poor}/{rural}"
    assert result.eligible is passes


def test_the_explanation_names_the_numbers_and_the_rule() -> None:
    result = assess_area_exit(AreaFacts(9, 299, GANSU_DECLARED), policy(GANSU_VILLAGE))
    assert by_code(result)["incidence"].detail == (
        "incidence 9 poor / 299 rural = 3.0100% (does not meet: must be at or below 3.00%)"
    )


def test_gansu_weighs_the_other_factors_but_needs_them_declared() -> None:
    gansu = policy(GANSU_VILLAGE)
    assert [c.code for c in gansu.criteria] == [
        "incidence",
        "infrastructure",
        "public_services",
        "industry",
        "village_appearance",
    ]
    # not declared: not eligible, even with incidence met
    result = assess_area_exit(AreaFacts(10, 1_000), gansu)
    assert not result.eligible
    assert {c.criterion for c in result.failures} == set(GANSU_DECLARED)
    # declared "no" for one factor: shown as not passed, but 统筹考虑 does not block on its own
    declared = {**GANSU_DECLARED, "industry": Declared(False, EVIDENCE, "产业尚在起步")}
    result = assess_area_exit(AreaFacts(10, 1_000, declared), gansu)
    assert result.eligible
    industry = by_code(result)["industry"]
    assert (industry.passed, industry.blocking) == (False, False)
    assert "does not block" in industry.detail


def test_gansu_county_is_incidence_plus_housing_water_education_medical() -> None:
    county = policy("620521000000", AreaExitKind.COUNTY)
    assert [c.code for c in county.criteria] == [
        "incidence",
        "housing",
        "drinking_water",
        "education",
        "medical",
    ]
    assert county.criteria[0].comparison is Comparison.AT_OR_BELOW


def test_guangyuan_village_one_low_five_haves() -> None:
    gy = policy(GUANGYUAN_VILLAGE)
    assert [c.code for c in gy.criteria] == [
        "incidence",
        "collective_income",
        "hardened_road",
        "clinic",
        "culture_room",
        "communication_network",
    ]
    all_yes = {
        "collective_income": Declared(150_000, EVIDENCE),
        "hardened_road": Declared(True, EVIDENCE),
        "clinic": Declared(True, EVIDENCE),
        "culture_room": Declared(True, EVIDENCE),
        "communication_network": Declared(True, EVIDENCE),
    }
    assert assess_area_exit(AreaFacts(29, 1_000, all_yes), gy).eligible  # 2.9%
    # 一低 is 低于3%: exactly 3% does not pass in Guangyuan (it does in Gansu)
    at_three = assess_area_exit(AreaFacts(30, 1_000, all_yes), gy)
    assert not at_three.eligible
    assert by_code(at_three)["incidence"].comparison == "below"
    # no clinic blocks: every one of the five haves is required
    no_clinic = assess_area_exit(AreaFacts(29, 1_000, {**all_yes, "clinic": Declared(False, EVIDENCE)}), gy)
    assert [c.criterion for c in no_clinic.failures] == ["clinic"]
    # 有集体经济收入: zero income is not "having" it
    no_income = {**all_yes, "collective_income": Declared(0, EVIDENCE)}
    assert [c.criterion for c in assess_area_exit(AreaFacts(29, 1_000, no_income), gy).failures] == [
        "collective_income"
    ]


def test_a_declared_income_must_match_what_the_registry_records() -> None:
    gy = policy(GUANGYUAN_VILLAGE)
    declared = {
        "collective_income": Declared(150_000, EVIDENCE),
        **{
            c: Declared(True, EVIDENCE)
            for c in ("hardened_road", "clinic", "culture_room", "communication_network")
        },
    }
    result = assess_area_exit(AreaFacts(0, 1_000, declared, recorded_amounts={"collective_income": 0}), gy)
    income = by_code(result)["collective_income"]
    assert not income.passed
    assert "the registry records 0.00 yuan" in income.detail


def test_guangyuan_county_one_low_three_haves() -> None:
    county = policy("510802000000", AreaExitKind.COUNTY)
    assert [c.code for c in county.criteria] == [
        "incidence",
        "township_central_schools",
        "township_health_centers",
        "service_centers",
    ]
    assert all(c.blocking for c in county.criteria)


def test_elsewhere_incidence_alone_and_no_policy_before_2016() -> None:
    elsewhere = policy("440183101201")  # a Guangdong village outside Kaiping: the national default
    assert [c.code for c in elsewhere.criteria] == ["incidence"]
    assert assess_area_exit(AreaFacts(30, 1_000), elsewhere).eligible
    with pytest.raises(NoAreaExitPolicy):
        policy(KAIPING_VILLAGE, year=2015)


@pytest.mark.parametrize(
    ("year", "short", "enough"),
    [
        # seed 004 六(一): 2016年达到15万元以上, 2017年达到18万元以上, 到2018年底…达到20万元以上 (fen)
        (2016, 14_999_999, 15_000_000),
        (2017, 17_999_999, 18_000_000),
        (2018, 19_999_999, 20_000_000),
        (2020, 19_999_999, 20_000_000),  # 2018's figure stays in force
    ],
)
def test_kaiping_village_collective_disposable_income_of_the_year(year: int, short: int, enough: int) -> None:
    kaiping = policy(KAIPING_VILLAGE, year=year)
    assert [c.code for c in kaiping.criteria] == ["incidence", "collective_disposable_income"]

    def facts(fen: int) -> AreaFacts:
        return AreaFacts(0, 1_000, {"collective_disposable_income": Declared(fen, EVIDENCE)})

    refused = assess_area_exit(facts(short), kaiping)
    assert not refused.eligible
    assert [c.criterion for c in refused.failures] == ["collective_disposable_income"]
    assert assess_area_exit(facts(enough), kaiping).eligible
    # the operating income the registry records (Quanzhou's measure) is not this criterion's
    recorded = AreaFacts(0, 1_000, facts(enough).declared, {"collective_income": 0})
    assert assess_area_exit(recorded, kaiping).eligible


def test_unknown_population_fails_the_incidence() -> None:
    result = assess_area_exit(AreaFacts(0, None, GANSU_DECLARED), policy(GANSU_VILLAGE))
    assert not result.eligible
    assert "rural population not recorded" in by_code(result)["incidence"].detail


def test_declarations_that_do_not_fit_the_policy_are_named() -> None:
    gy = policy(GUANGYUAN_VILLAGE)
    problems = check_declarations(
        gy,
        {
            "incidence": Declared(True, EVIDENCE),
            "swimming_pool": Declared(True, EVIDENCE),
            "clinic": Declared(1, EVIDENCE),
            "collective_income": Declared(True, EVIDENCE),
            "hardened_road": Declared(True, ("  ",)),
        },
    )
    assert [en.split(":")[0] for en, _ in problems] == [
        "incidence",
        "swimming_pool",
        "clinic",
        "collective_income",
        "hardened_road",
    ]


def test_comparisons_at_the_boundary() -> None:
    assert compare(300, Comparison.AT_OR_BELOW, 300)
    assert not compare(300, Comparison.BELOW, 300)
    assert compare(300, Comparison.AT_OR_ABOVE, 300)
    assert not compare(300, Comparison.ABOVE, 300)


def test_a_policy_record_is_checked_when_built() -> None:
    with pytest.raises(ValueError, match="declared"):
        CriterionSpec("incidence", "x", Measure.INCIDENCE, Source.DECLARED, Comparison.BELOW, 300)
    with pytest.raises(ValueError, match="declared"):
        CriterionSpec("clinic", "x", Measure.FLAG, Source.REGISTRY)
    with pytest.raises(ValueError, match="comparison"):
        CriterionSpec("collective_income", "x", Measure.AMOUNT, Source.DECLARED)


def test_a_label_kept_before_the_languages_were_apart_splits_into_its_chinese_and_english() -> None:
    assert label_words("有硬化路 (a hardened road)") == ("有硬化路", "a hardened road")
    assert label_words("有硬化路", "a hardened road") == ("有硬化路", "a hardened road")
    assert label_words("贫困发生率降至3%以下") == ("贫困发生率降至3%以下", None)
