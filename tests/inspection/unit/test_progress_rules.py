"""Pure rules of quarterly progress reports: periods, deadline, rates, sums, submissions."""

from __future__ import annotations

from datetime import date

import pytest

from services.inspection import errors
from services.inspection.progress import rules
from shared.areas import AreaCode, AreaLevel
from shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("year", "quarter", "start", "end"),
    [
        (2026, 1, date(2026, 1, 1), date(2026, 3, 31)),
        (2026, 2, date(2026, 4, 1), date(2026, 6, 30)),
        (2026, 3, date(2026, 7, 1), date(2026, 9, 30)),
        (2026, 4, date(2026, 10, 1), date(2026, 12, 31)),
        (2028, 1, date(2028, 1, 1), date(2028, 3, 31)),  # leap year: Q1 still ends on 31 March
    ],
)
def test_quarters_are_exact_and_inclusive(year: int, quarter: int, start: date, end: date) -> None:
    assert rules.quarter_period(year, quarter) == rules.Period(start, end)
    assert rules.year_to_date(year, quarter) == rules.Period(date(year, 1, 1), end)


@pytest.mark.parametrize(("year", "quarter"), [(2026, 0), (2026, 5), (1999, 1)])
def test_bad_quarters_are_refused(year: int, quarter: int) -> None:
    with pytest.raises(InvalidInput):
        rules.quarter_period(year, quarter)


def test_deadline_is_days_after_the_last_day() -> None:
    assert rules.deadline(2026, 1, 10) == date(2026, 4, 10)
    assert rules.deadline(2026, 4, 10) == date(2027, 1, 10)
    assert rules.deadline(2026, 2, 0) == date(2026, 6, 30)


def test_child_level() -> None:
    assert rules.child_level(AreaCode.parse("620500000000")) == AreaLevel.COUNTY
    assert rules.child_level(AreaCode.parse("620521000000")) == AreaLevel.TOWNSHIP
    assert rules.child_level(AreaCode.parse("620521101000")) == AreaLevel.VILLAGE
    assert rules.child_level(AreaCode.parse("620521101201")) is None


def test_rate_is_four_places_and_null_without_a_whole() -> None:
    assert rules.rate(400_000, 1_500_000) == "0.2667"
    assert rules.rate(3, 4) == "0.7500"
    assert rules.rate(5, 0) is None
    assert rules.rate(5, None) is None
    assert rules.rate(None, 5) is None
    assert rules.rate(12, 10) == "1.2000"  # more than the target is shown, not capped


def test_sum_rows_keeps_unknown_unknown() -> None:
    rows = [{"a": 1, "b": None}, {"a": 2, "b": None}, {"a": 3, "b": 4}]
    assert rules.sum_rows(rows, ["a", "b"]) == {"a": 6, "b": 4}
    assert rules.sum_rows([{"a": None}], ["a"]) == {"a": None}
    assert rules.sum_rows([], ["a"]) == {"a": 0}


END = date(2026, 3, 31)


def test_first_submission_after_the_quarter() -> None:
    assert (
        rules.next_version(
            current_version=None, correction_reason=None, period_end=END, today=date(2026, 4, 1)
        )
        == 1
    )


def test_submission_on_the_last_day_of_the_quarter_is_too_early() -> None:
    with pytest.raises(errors.QuarterNotOver):
        rules.next_version(current_version=None, correction_reason=None, period_end=END, today=END)


def test_second_submission_needs_a_correction_reason() -> None:
    with pytest.raises(errors.AlreadySubmitted) as exc:
        rules.next_version(current_version=1, correction_reason=None, period_end=END, today=date(2026, 4, 2))
    assert exc.value.status == 409
    assert (
        rules.next_version(
            current_version=2, correction_reason="typo", period_end=END, today=date(2026, 5, 1)
        )
        == 3
    )


def test_a_correction_needs_something_to_correct() -> None:
    with pytest.raises(errors.NothingToCorrect):
        rules.next_version(
            current_version=None, correction_reason="x", period_end=END, today=date(2026, 4, 2)
        )


@pytest.mark.parametrize(
    ("first", "today", "status"),
    [
        (date(2026, 4, 10), date(2026, 5, 1), "on_time"),  # on the deadline
        (date(2026, 4, 11), date(2026, 5, 1), "late"),
        (None, date(2026, 4, 10), "pending"),
        (None, date(2026, 4, 11), "overdue"),
    ],
)
def test_submission_status(first: date | None, today: date, status: str) -> None:
    assert rules.submission_status(first_submitted_on=first, due=date(2026, 4, 10), today=today) == status


def test_satisfaction_rate_counts_basically_satisfied_as_satisfied_and_leaves_out_the_unasked() -> None:
    def flows(satisfied: int, basically: int, dissatisfied: int) -> dict[str, int]:
        return dict(zip(rules.SATISFACTION_FIELDS, (satisfied, basically, dissatisfied), strict=True))

    assert rules.satisfaction_rate(flows(3, 1, 1)) == "0.8000"  # (满意 3 + 基本满意 1) / 5 answers
    assert rules.satisfaction_rate(flows(0, 0, 2)) == "0.0000"
    assert rules.satisfaction_rate(flows(0, 0, 0)) is None  # no one answered: nothing to measure
    assert rules.satisfaction_rate({"visits": 7}) is None  # visits where no one was asked


def test_a_report_frozen_before_satisfaction_was_counted_still_reads() -> None:
    from services.inspection.progress.schemas import FlowsOut, StandingOut

    old_flows = {f: 1 for f in rules.FLOW_FIELDS if f not in rules.SATISFACTION_FIELDS}
    assert FlowsOut.model_validate(old_flows).visits_satisfied is None  # unknown, not zero
    old_standing = {
        "target_people": None,
        "target_progress": None,
        "planned_fen": 0,
        "received_fen": None,
        "plan_year_disbursed_fen": 0,
        "disbursement_rate": None,
        "households_in_roll": 0,
        "households_paired": 0,
        "pairing_coverage": None,
        "findings_overdue": 0,
        "satisfaction_average": None,  # the field it had then
    }
    assert StandingOut.model_validate(old_standing).satisfaction_rate is None
