from __future__ import annotations

import pytest

from services.funds.policies.presets import GANSU_BUDGET_FLOORS, JINZHOU_SPECIAL_FUND_PER_YEAR_FEN
from services.funds.sources.rules import minimum_dividend, minimum_poverty_budget
from shared.errors import InvalidInput
from shared.money import yuan


def test_gansu_county_adds_20_percent_of_revenue_increase_and_half_of_recovered_idle_money() -> None:
    floor = minimum_poverty_budget(
        GANSU_BUDGET_FLOORS,
        level="county",
        local_revenue_increase_fen=yuan(3_000_000),
        recovered_idle_funds_fen=yuan(400_000),
    )
    assert floor == yuan(600_000) + yuan(200_000)


def test_gansu_city_adds_10_percent_and_floors_round_up_to_the_fen() -> None:
    assert (
        minimum_poverty_budget(
            GANSU_BUDGET_FLOORS, level="city", local_revenue_increase_fen=11, recovered_idle_funds_fen=0
        )
        == 2
    )  # 1.1 fen: 1 fen would be under 10%
    assert (
        minimum_poverty_budget(
            GANSU_BUDGET_FLOORS, level="city", local_revenue_increase_fen=-yuan(5), recovered_idle_funds_fen=0
        )
        == 0
    )  # revenue fell: no increase to share


def test_levels_without_a_floor_are_bad_input() -> None:
    with pytest.raises(InvalidInput):
        minimum_poverty_budget(
            GANSU_BUDGET_FLOORS, level="township", local_revenue_increase_fen=1, recovered_idle_funds_fen=0
        )


def test_dividend_is_at_least_8_percent_of_the_loan() -> None:
    assert minimum_dividend(GANSU_BUDGET_FLOORS, loan_fen=yuan(50_000)) == yuan(4_000)
    assert minimum_dividend(GANSU_BUDGET_FLOORS, loan_fen=1) == 1


def test_jinzhou_special_fund() -> None:
    assert JINZHOU_SPECIAL_FUND_PER_YEAR_FEN == 4_000_000_000
