from dataclasses import replace

import pytest

from services.registry.exits.rules import Debt, ExitFacts, assess_exit
from services.registry.policies.presets import PRESETS
from services.registry.policies.rules import resolve_policy
from services.registry.vocabulary import BasicNeed

GANSU = resolve_policy(list(PRESETS), area_code="620521101201", year=2018)  # line 3,535 yuan
ALL_NEEDS = {n.value: True for n in BasicNeed}
GOOD = ExitFacts(
    per_capita_income_fen=400_000,
    income_channels=["wages"],
    debts=[Debt("illness", 4_999_999)],
    basic_needs=ALL_NEEDS,
)


def failing(facts):
    return [c.criterion for c in assess_exit(facts, GANSU).criteria if not c.passed]


def test_a_household_meeting_every_criterion_is_eligible():
    result = assess_exit(GOOD, GANSU)
    assert result.eligible
    assert [c.criterion for c in result.criteria] == [
        "income_above_line",
        "income_channel",
        "no_large_debt",
        "basic_needs_met",
    ]


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"per_capita_income_fen": 353_500}, "income_above_line"),  # exactly the line is not above it
        ({"per_capita_income_fen": None}, "income_above_line"),
        ({"income_channels": []}, "income_channel"),
        ({"debts": [Debt("housing", 5_000_000)]}, "no_large_debt"),  # 5万元以上 includes 50,000
        ({"basic_needs": {**ALL_NEEDS, "safe_housing": False}}, "basic_needs_met"),
        ({"basic_needs": {k: v for k, v in ALL_NEEDS.items() if k != "safe_water"}}, "basic_needs_met"),
    ],
)
def test_each_criterion_fails_on_its_own(change, criterion):
    facts = replace(GOOD, **change)
    assert failing(facts) == [criterion]
    assert not assess_exit(facts, GANSU).eligible


def test_one_fen_above_the_line_passes_and_a_settled_large_debt_does_not_block():
    facts = replace(GOOD, per_capita_income_fen=353_501, debts=[Debt("schooling", 9_000_000, settled=True)])
    assert assess_exit(facts, GANSU).eligible


def test_details_name_the_numbers():
    data = assess_exit(replace(GOOD, debts=[Debt("illness", 6_000_000)]), GANSU).as_data()
    debt = next(d for d in data if d["criterion"] == "no_large_debt")
    assert debt == {
        "criterion": "no_large_debt",
        "criterion_label": "无因病、因学、因房大额负债",  # its name on the exit form
        "passed": False,
        "detail": "illness debt 60,000.00 yuan at or above 50,000.00 yuan",
        "detail_zh": "无因病、因学、因房大额负债：因病负债60,000.00元，达到或超过50,000.00元，须先还清",
    }
    income = data[0]
    assert income["detail"] == (
        "per-capita income 4,000.00 yuan is above the line 3,535.00 yuan "
        "(2018; above: 该户年人均纯收入稳定超过当年省定退出验收标准)"
    )


KAIPING = resolve_policy(list(PRESETS), area_code="440783101201", year=2018)  # line 4,000 yuan


def test_kaiping_reaching_its_line_exactly_meets_it_and_says_which_comparison():
    at_line = assess_exit(replace(GOOD, per_capita_income_fen=400_000), KAIPING)
    assert at_line.eligible
    income = at_line.as_data()[0]
    assert income["detail"] == (
        "per-capita income 4,000.00 yuan is at or above the line 4,000.00 yuan "
        "(2018; at_or_above: 对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶)"
    )
    below = assess_exit(replace(GOOD, per_capita_income_fen=399_999), KAIPING)
    assert [c.criterion for c in below.criteria if not c.passed] == ["income_above_line"]
    assert "is not at or above the line 4,000.00 yuan" in below.as_data()[0]["detail"]


def test_gansu_exactly_at_its_line_does_not_meet_it():
    at_line = assess_exit(replace(GOOD, per_capita_income_fen=353_500), GANSU)
    assert not at_line.eligible
    assert "is not above the line 3,535.00 yuan" in at_line.as_data()[0]["detail"]
    assert "稳定超过" in at_line.as_data()[0]["detail"]


def test_the_income_channel_reads_in_the_clerks_words():
    """A channel typed as a code (the guide once taught ``wages``) is named in Chinese on the
    registrar's page; one typed in Chinese (务工) reads as typed."""
    details = {
        c.criterion: c.detail_zh
        for c in assess_exit(replace(GOOD, income_channels=["wages", "务工"]), GANSU).criteria
    }
    assert details["income_channel"] == "有稳定收入来源：工资性收入、务工"
