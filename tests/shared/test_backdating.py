"""shared.backdating: the rules for dates a clerk types, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from shared.backdating import (
    DateBeforeRecord,
    DateInFuture,
    LateEntryRefused,
    check_entered_date,
    check_not_future,
)

TODAY = date(2026, 12, 4)


def check(on, *, not_before=None, reason=None, roles=("registrar",), tolerance=3):
    return check_entered_date(
        field="notice_starts_on",
        label_zh="公示开始日期",
        on=on,
        today=TODAY,
        not_before=not_before,
        not_before_what="the day the household was entered",
        tolerance_days=tolerance,
        reason=reason,
        roles=roles,
    )


def test_today_and_up_to_the_tolerance_are_ordinary():
    assert check(TODAY) is None
    assert check(date(2026, 12, 1)) is None  # exactly 3 days back


def test_tomorrow_is_in_the_future():
    with pytest.raises(DateInFuture) as err:
        check(date(2026, 12, 5))
    assert err.value.status == 422


def test_before_the_record_is_refused_even_with_reason_and_role():
    with pytest.raises(DateBeforeRecord) as err:
        check(date(2026, 11, 25), not_before=TODAY, reason="补录", roles=("approver",))
    assert err.value.status == 409
    assert err.value.extensions["not_before"] == "2026-12-04"
    # what the date may not precede, in Chinese beside the English (a Chinese answer names it so)
    assert err.value.extensions["not_before_what_label"] == "所属记录的日期"


@pytest.mark.parametrize(
    ("reason", "roles", "missing"),
    [
        (None, ("registrar",), ["reason", "role"]),
        ("  ", ("approver",), ["reason"]),
        ("纸质记录迟交", ("registrar",), ["role"]),
    ],
)
def test_four_days_back_needs_a_reason_and_a_higher_role(reason, roles, missing):
    with pytest.raises(LateEntryRefused) as err:
        check(date(2026, 11, 30), reason=reason, roles=roles)
    assert err.value.extensions["missing"] == missing
    assert err.value.extensions["days_late"] == 4


@pytest.mark.parametrize("role", ["approver", "admin"])
def test_a_late_entry_with_reason_and_role_is_returned_for_the_record(role):
    late = check(date(2026, 11, 30), reason=" 纸质记录迟交 ", roles=("registrar", role))
    assert late is not None
    assert (late.days_late, late.tolerance_days, late.reason, late.recorded_on) == (
        4,
        3,
        "纸质记录迟交",
        TODAY,
    )


def test_each_refusal_tells_the_clerk_in_chinese():
    """Chinese is the default answer language: every refusal composes its Chinese detail too."""
    with pytest.raises(DateInFuture) as future:
        check(date(2026, 12, 5))
    assert future.value.detail_zh == (
        "公示开始日期 2026-12-05 晚于今天（北京时间 2026-12-04），请在事情发生后再登记"
    )
    with pytest.raises(DateBeforeRecord) as before:
        check(date(2026, 11, 25), not_before=date(2026, 11, 26))
    assert before.value.detail_zh.startswith("公示开始日期 2026-11-25 早于所属记录的日期（2026-11-26）")
    with pytest.raises(LateEntryRefused) as late:
        check(date(2026, 11, 24))
    assert late.value.detail_zh == (
        "公示开始日期 2026-11-24 已过去10天，超过允许的3天，属于补录："
        "须填写补录原因、须由审批人（或管理员）提交"
    )


def test_a_label_that_is_no_date_says_which_date_it_means():
    """A date field's label (民主评议日期) leads the refusal once, not as 民主评议日期填写的日期; an action's
    label (民主评议) says it is the date entered for it."""
    with pytest.raises(DateInFuture) as dated:
        check_not_future(field="review_held_on", on=date(2026, 12, 5), today=TODAY, label_zh="民主评议日期")
    assert dated.value.detail_zh.startswith("民主评议日期 2026-12-05 晚于今天")
    with pytest.raises(DateInFuture) as action:
        check_not_future(field="on", on=date(2026, 12, 5), today=TODAY, label_zh="民主评议")
    assert action.value.detail_zh.startswith("民主评议填写的日期 2026-12-05 晚于今天")
