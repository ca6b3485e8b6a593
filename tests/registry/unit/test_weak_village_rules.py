"""Village collective-income thresholds: pure rules, no database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.registry.policies.presets import PRESETS
from services.registry.policies.rules import IncomeThreshold, PolicyRecord, resolve_policy, threshold_in_force
from services.registry.policies.schemas import PolicyRecordIn
from services.registry.rollups.villages import region_of, standing, threshold_regions

YUAN = 100
AT_OR_BELOW = IncomeThreshold(10_000 * YUAN, True, "3505", 2018, "seed 002")
BELOW = IncomeThreshold(10_000 * YUAN, False, "350524", 2018, "a 低于 record")


def test_yixia_includes_the_threshold_and_diyu_does_not():
    assert AT_OR_BELOW.is_weak(1_000_000)
    assert AT_OR_BELOW.gap_fen(1_000_000) == 1
    assert not AT_OR_BELOW.is_weak(1_000_001)
    assert AT_OR_BELOW.gap_fen(1_000_001) == 0
    assert not BELOW.is_weak(1_000_000)
    assert BELOW.gap_fen(1_000_000) == 0
    assert BELOW.is_weak(999_999)
    assert BELOW.gap_fen(999_999) == 1
    assert AT_OR_BELOW.gap_fen(0) == 1_000_001


def test_standing_of_a_village():
    assert standing(None, None).kind == "no_threshold"
    assert standing(5, None).kind == "no_threshold"
    assert standing(None, BELOW).kind == "unknown"
    assert (standing(999_999, BELOW).kind, standing(999_999, BELOW).gap_fen) == ("weak", 1)
    assert standing(1_000_000, BELOW).kind == "not_weak"


@pytest.mark.parametrize(
    ("area", "year", "expected"),
    [
        ("350524101201", 2017, None),
        ("350524101201", 2018, (1_000_000, True)),
        ("350524101201", 2019, (3_000_000, True)),
        ("350524101201", 2025, (3_000_000, True)),
        ("440783101201", 2018, None),
    ],
)
def test_quanzhou_presets_are_seed_002s_numbers(area, year, expected):
    t = threshold_in_force(list(PRESETS), area_code=area, year=year)
    assert (None if t is None else (t.income_fen, t.inclusive)) == expected
    p = resolve_policy(list(PRESETS), area_code=area, year=year)  # optional: never NoPolicy
    assert (p.weak_village_income_fen, p.weak_village_income_inclusive) == (expected or (None, None))


def test_a_county_record_overrides_the_city_and_regions_follow_it():
    county = PolicyRecord(
        "350524", 2018, "county", weak_village_income_fen=1_000_000, weak_village_income_inclusive=False
    )
    other = PolicyRecord("350526", 2018, "other county", exit_line_fen=1)  # no threshold: not a region
    records = [*PRESETS, county, other]
    regions = threshold_regions(
        [r for r in records if r.weak_village_income_fen is not None],
        area_code="350500000000",
        prefix="3505",
        year=2019,
    )
    assert [r.prefix for r in regions] == ["350524", "3505"]
    assert region_of(regions, "350524101201").threshold.inclusive is False  # longer prefix wins over 2019
    assert region_of(regions, "350526101201").threshold.income_fen == 3_000_000


def test_a_threshold_comes_with_its_comparison():
    base = {"area_prefix": "3505", "year": 2020, "source": "x"}
    with pytest.raises(ValidationError):
        PolicyRecordIn(**base, weak_village_income_fen=1)
    with pytest.raises(ValidationError):
        PolicyRecordIn(**base, weak_village_income_inclusive=True)
    assert PolicyRecordIn(**base, weak_village_income_fen=1, weak_village_income_inclusive=False)
