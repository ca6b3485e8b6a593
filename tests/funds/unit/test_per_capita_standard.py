"""Seed 004 (Kaiping) 三(一)/四(一) "按贫困人口人均3年不少于2万元的投入标准" as a pure rule."""

from __future__ import annotations

import dataclasses

import pytest

from services.funds.errors import PerCapitaBelowStandard
from services.funds.policies import service as policies
from services.funds.policies.presets import KAIPING_PER_CAPITA
from services.funds.schemes.rules import check_per_capita_standard
from shared.money import yuan

CHISHUI_VILLAGE = "440783105201"


def test_the_preset_is_the_seeds_20000_yuan_a_person_for_kaiping_2016_2018() -> None:
    (standard,) = policies.per_capita_standards(CHISHUI_VILLAGE, (2016, 2017, 2018))
    assert (standard.area_prefix, standard.from_year, standard.to_year) == ("440783", 2016, 2018)
    assert standard.minimum_per_person_fen == 2_000_000
    assert policies.per_capita_standards(CHISHUI_VILLAGE, (2015, 2019)) == []
    assert policies.per_capita_standards("350500000000", (2016,)) == []


@pytest.mark.parametrize(("fen", "refused"), [(1_999_999, True), (2_000_000, False), (2_000_001, False)])
def test_exactly_20000_yuan_passes_one_fen_under_is_refused(fen: int, refused: bool) -> None:
    standards = policies.per_capita_standards(CHISHUI_VILLAGE, KAIPING_PER_CAPITA.years)
    scheme = dataclasses.replace(KAIPING_PER_CAPITA, amount_per_person_fen=fen)
    if refused:
        with pytest.raises(PerCapitaBelowStandard, match="at least 20,000.00 yuan per person"):
            check_per_capita_standard(scheme, standards)
    else:
        check_per_capita_standard(scheme, standards)


def test_the_seeds_own_scheme_meets_its_standard() -> None:
    standards = policies.per_capita_standards("440783000000", KAIPING_PER_CAPITA.years)
    assert KAIPING_PER_CAPITA.amount_per_person_fen == yuan(20_000)
    check_per_capita_standard(KAIPING_PER_CAPITA, standards)
