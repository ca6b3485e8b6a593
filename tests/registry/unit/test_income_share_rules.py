"""Seed 004 §三(一): 力争每年有30%以上的有劳动能力贫困户年人均可支配收入超过当地城乡年人均收入的45% —
the preset's numbers and the pure indicator, with the town's 71 labour-capable households."""

from __future__ import annotations

import pytest

from services.registry.errors import InvalidInput
from services.registry.policies.presets import INCOME_SHARE_TARGETS, KAIPING_INCOME_SHARE_TARGET
from services.registry.policies.rules import Comparison
from services.registry.rollups.rules import IncomeFacts, income_share, income_share_target, is_labour_capable
from services.registry.vocabulary import HouseholdStatus

YUAN = 100
CHISHUI = "440783105000"
# The local per-capita income is not in the seeds: 20,000 yuan here is illustrative, so that the
# line (45%) is 9,000.00 yuan exactly.
LOCAL = 20_000 * YUAN
LINE = 9_000 * YUAN
REGISTERED = HouseholdStatus.REGISTERED


def hh(i: int, income: int | None, capacities: tuple[str, ...] = ("full",), status=REGISTERED) -> IncomeFacts:
    return IncomeFacts(f"hh-{i:03d}", status, capacities, income)


def chishui(over: int) -> list[IncomeFacts]:
    """The 71 labour-capable key households (seed 004), ``over`` of them 1 fen over the line, the rest
    exactly on it; plus 254 allowance households without labour capacity, all well over the line."""
    key = [hh(i, LINE + 1 if i < over else LINE) for i in range(71)]
    floor = [hh(100 + i, LINE * 2, ("none", "not_of_age")) for i in range(254)]
    return key + floor


def read(households: list[IncomeFacts], year: int = 2017):
    return income_share(
        households, target=KAIPING_INCOME_SHARE_TARGET, area_code=CHISHUI, year=year, local_income_fen=LOCAL
    )


def test_the_preset_holds_the_seeds_numbers_and_readings():
    t = KAIPING_INCOME_SHARE_TARGET
    assert (t.income_share_bp, t.households_share_bp) == (4_500, 3_000)  # 45%, 30%
    assert t.income_comparison is Comparison.ABOVE  # 超过: the line itself is not over it
    assert t.households_comparison is Comparison.AT_OR_ABOVE  # 30%以上: 30% itself meets it
    assert (t.area_prefix, t.from_year, t.to_year) == ("440783", 2016, 2018)  # 每年, 2016-2018
    assert "30%以上" in t.source
    assert "45%" in t.source


@pytest.mark.parametrize(
    ("area", "year", "found"),
    [
        (CHISHUI, 2016, True),
        (CHISHUI, 2018, True),
        (CHISHUI, 2019, False),
        ("440783000000", 2015, False),
        ("350524101201", 2017, False),
    ],
)
def test_the_target_applies_to_kaiping_in_2016_to_2018_only(area, year, found):
    assert (income_share_target(INCOME_SHARE_TARGETS, area_code=area, year=year) is not None) is found


def test_exactly_45_percent_is_not_over_the_line_and_one_fen_more_is():
    share = read([hh(1, LINE), hh(2, LINE + 1)])
    assert (share.labour_capable_households, share.households_over_line) == (2, 1)
    assert share.line_fen == 900_000


def test_of_71_households_21_over_the_line_miss_30_percent_and_22_meet_it():
    missed, met = read(chishui(21)), read(chishui(22))
    assert (missed.labour_capable_households, missed.households_over_line) == (71, 21)
    assert (missed.share_bp, missed.meets_target) == (2_958, False)  # 21/71 = 29.58%
    assert (met.households_over_line, met.share_bp, met.meets_target) == (22, 3_099, True)  # 30.99%


def test_exactly_30_percent_meets_the_target():
    share = read([hh(i, LINE + 1 if i < 3 else 0) for i in range(10)])
    assert (share.share_bp, share.meets_target) == (3_000, True)
    assert read([hh(i, LINE + 1 if i < 2 else 0) for i in range(7)]).meets_target is False  # 28.57%


def test_who_is_counted_labour_capacity_poverty_status_and_missing_income():
    households = [
        hh(1, LINE + 1, ("none", "partial")),  # a weak labourer: labour-capable, over the line
        hh(2, None),  # labour-capable, no income recorded for the year: counted, not over
        hh(3, LINE * 3, ("none",)),  # no labour capacity: not in the indicator
        hh(4, LINE * 3, status=HouseholdStatus.EXITED),  # exited: no longer a poor household
    ]
    share = read(households)
    assert (share.labour_capable_households, share.households_over_line, share.households_without_income) == (
        2,
        1,
        1,
    )
    assert (share.share_bp, share.meets_target) == (5_000, True)
    assert is_labour_capable(("not_of_age", "full"))
    assert not is_labour_capable(("none", "not_of_age"))


def test_no_labour_capable_household_gives_no_share_and_no_verdict():
    share = read([hh(1, LINE * 3, ("none",))])
    assert (share.labour_capable_households, share.share_bp, share.meets_target) == (0, None, None)


def test_the_line_is_compared_exactly_not_in_rounded_fen():
    # 45% of 12,345.67 yuan is 5,555.5515 yuan: 555,555 fen is under it, 555,556 over it
    share = income_share(
        [hh(1, 555_555), hh(2, 555_556)],
        target=KAIPING_INCOME_SHARE_TARGET,
        area_code=CHISHUI,
        year=2016,
        local_income_fen=1_234_567,
    )
    assert (share.households_over_line, share.line_fen) == (1, 555_556)


def test_a_local_income_of_zero_is_refused():
    with pytest.raises(InvalidInput) as err:
        income_share([], target=KAIPING_INCOME_SHARE_TARGET, area_code=CHISHUI, year=2016, local_income_fen=0)
    assert err.value.extensions["field"] == "local_income_fen"
