"""Budget rules (Gansu 20% / 10% / 50%, Jinzhou 40M) and asset-income floors as versioned policy data."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.funds.asset_income import rules as asset
from services.funds.budgets import rules
from services.funds.errors import AlreadyDistributed
from services.funds.policies.presets import (
    ASSET_INCOME_POLICIES,
    BUDGET_RULES,
    JINZHOU_SPECIAL_FUND_PER_YEAR_FEN,
)
from shared.errors import Conflict, InvalidInput
from shared.money import yuan

GANSU_COUNTY = "621221000000"
GANSU_CITY = "621200000000"
JINZHOU = "210700000000"


def _codes(area: str, year: int) -> list[str]:
    return [r.code for r in rules.rules_in_force(BUDGET_RULES, area_code=area, year=year)]


def test_rules_in_force_by_level_area_and_year() -> None:
    assert _codes(GANSU_COUNTY, 2017) == [
        "gansu-county-recovered-idle-funds",
        "gansu-county-revenue-increase",
    ]
    assert _codes(GANSU_CITY, 2017) == ["gansu-city-recovered-idle-funds", "gansu-city-revenue-increase"]
    assert _codes(JINZHOU, 2017) == ["jinzhou-special-fund"]
    assert _codes("210727000000", 2017) == []  # the 40M is one sum for the city and its counties
    assert _codes("440783000000", 2017) == []  # Kaiping: no budget rule in the seeds
    assert _codes("621221100000", 2017) == []  # townships are not bound
    # 各级财政…50%以上: the province's own recovered idle funds too (seed 003, 财政政策)
    assert _codes("620000000000", 2017) == ["gansu-province-recovered-idle-funds"]
    assert _required("620000000000", yuan(1_000_000), 3) == {"gansu-province-recovered-idle-funds": 2}
    assert _codes(GANSU_COUNTY, 2015) == _codes(GANSU_COUNTY, 2021) == []
    # Quanzhou (seed 002 三/六/七): three city earmarks in 2018, 30M + 25M + 20M
    assert _codes("350500000000", 2018) == [
        "quanzhou-2018-housing",
        "quanzhou-2018-infrastructure",
        "quanzhou-2018-village-collective",
    ]
    assert _required("350500000000", 0, 0, year=2018) == {
        "quanzhou-2018-housing": yuan(30_000_000),
        "quanzhou-2018-infrastructure": yuan(20_000_000),
        "quanzhou-2018-village-collective": yuan(25_000_000),
    }
    assert _codes("350500000000", 2017) == _codes("350582000000", 2018) == []


def test_a_newer_version_replaces_the_older_from_its_first_year() -> None:
    v1 = next(r for r in BUDGET_RULES if r.code == "gansu-county-revenue-increase")
    v2 = replace(v1, version=2, basis_points=2_500, from_year=2019)
    both = [v1, v2]
    assert rules.rules_in_force(both, area_code=GANSU_COUNTY, year=2018) == [v1]
    assert rules.rules_in_force(both, area_code=GANSU_COUNTY, year=2019) == [v2]


def _required(area: str, increase: int, recovered: int, year: int = 2017) -> dict[str, int | None]:
    in_force = rules.rules_in_force(BUDGET_RULES, area_code=area, year=year)
    rows = rules.check_compliance(
        in_force, declaration=rules.Declaration(increase, recovered), budgeted_fen={}
    )
    return {r.rule.code: r.required_fen for r in rows if r.rule}


def test_gansu_county_20_percent_and_half_of_recovered_idle_funds() -> None:
    assert _required(GANSU_COUNTY, yuan(30_000_000), yuan(4_000_000)) == {
        "gansu-county-revenue-increase": yuan(6_000_000),
        "gansu-county-recovered-idle-funds": yuan(2_000_000),
    }


def test_shares_round_up_to_the_fen_and_a_fall_in_revenue_requires_nothing() -> None:
    # 1,234,567,891 fen: 20% = 246,913,578.2 -> 246,913,579; 10% = 123,456,789.1 -> 123,456,790
    assert _required(GANSU_COUNTY, 1_234_567_891, 1)["gansu-county-revenue-increase"] == 246_913_579
    assert _required(GANSU_CITY, 1_234_567_891, 1)["gansu-city-revenue-increase"] == 123_456_790
    assert _required(GANSU_CITY, 1_234_567_891, 1)["gansu-city-recovered-idle-funds"] == 1  # 0.5 -> 1
    assert _required(GANSU_CITY, -yuan(5), 0)["gansu-city-revenue-increase"] == 0


def test_exactly_the_minimum_passes_and_one_fen_under_fails() -> None:
    [rule] = [r for r in BUDGET_RULES if r.code == "gansu-county-revenue-increase"]
    declared = rules.Declaration(yuan(30_000_000), 0)
    [exact] = rules.check_compliance([rule], declaration=declared, budgeted_fen={rule.code: yuan(6_000_000)})
    [under] = rules.check_compliance(
        [rule], declaration=declared, budgeted_fen={rule.code: yuan(6_000_000) - 1}
    )
    assert (exact.passed, exact.shortfall_fen) == (True, 0)
    assert (under.passed, under.shortfall_fen) == (False, 1)


def test_without_a_declaration_a_share_cannot_be_computed_but_a_fixed_amount_can() -> None:
    in_force = rules.rules_in_force(BUDGET_RULES, area_code=JINZHOU, year=2017)
    [jinzhou] = rules.check_compliance(in_force, declaration=None, budgeted_fen={})
    assert jinzhou.required_fen == JINZHOU_SPECIAL_FUND_PER_YEAR_FEN == 4_000_000_000
    gansu = rules.rules_in_force(BUDGET_RULES, area_code=GANSU_COUNTY, year=2017)
    rows = rules.check_compliance(gansu, declaration=None, budgeted_fen={})
    assert {(r.required_fen, r.passed) for r in rows} == {(None, None)}
    assert rules.total_row(rows, budgeted_fen=5).passed is None


def test_budgets_count_at_the_rules_levels_only() -> None:
    budgets = [("210700000000", 2_500_000_000), ("210727000000", 1_500_000_000), ("210727100000", 7)]
    assert rules.budgeted_at_levels(budgets, ("city", "county")) == 4_000_000_000
    assert rules.budgeted_at_levels(budgets, ("county",)) == 1_500_000_000


def test_dividend_floor_is_8_percent_in_gansu_and_none_elsewhere() -> None:
    policy = asset.policy_in_force(ASSET_INCOME_POLICIES, area_code=GANSU_COUNTY, year=2017)
    assert policy is not None
    assert policy.minimum_dividend_bp == 800
    asset.check_dividend_rate(policy, dividend_rate_bp=800)  # 不低于: exactly 8% is fine
    with pytest.raises(InvalidInput) as refused:
        asset.check_dividend_rate(policy, dividend_rate_bp=799)
    assert refused.value.extensions["minimum_dividend_bp"] == 800
    assert asset.policy_in_force(ASSET_INCOME_POLICIES, area_code="440783000000", year=2017) is None


def test_due_is_guaranteed_plus_dividend_rounded_up() -> None:
    assert asset.due_for_year(
        principal_fen=yuan(500_000), dividend_rate_bp=800, guaranteed_return_fen=yuan(10_000)
    ) == (yuan(50_000))
    # 1,234,567 fen x 8% = 98,765.36 -> 98,766
    assert (
        asset.due_for_year(principal_fen=1_234_567, dividend_rate_bp=800, guaranteed_return_fen=0) == 98_766
    )


def test_years_outside_the_term_or_distributed_already_are_refused() -> None:
    asset.check_year(2019, start_year=2017, term=3, distributed=[2017])
    with pytest.raises(Conflict):
        asset.check_year(2020, start_year=2017, term=3, distributed=[])
    with pytest.raises(AlreadyDistributed):
        asset.check_year(2017, start_year=2017, term=3, distributed=[2017])


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    shares=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=60),
)
def test_a_dividend_split_adds_up_to_the_fen_and_is_fair_to_within_one_fen(
    amount: int, shares: list[int]
) -> None:
    parts = asset.split(amount, shares)
    assert sum(parts) == amount
    total = sum(shares)
    for part, share in zip(parts, shares, strict=True):
        exact_floor = amount * share // total
        assert exact_floor <= part <= exact_floor + 1
