from datetime import date

import pytest

from services.registry.errors import (
    ObjectionsOpen,
    PublicNoticeStillRunning,
    ReviewNotApproved,
    TransitionRefused,
)
from services.registry.identification.rules import (
    TRANSITIONS,
    Action,
    EntryFloor,
    ReviewResult,
    check_confirmation,
    check_notice_start,
    entry_floor,
    late_tolerance,
    next_status,
)
from services.registry.vocabulary import HouseholdStatus as S

ALLOWED = [
    (S.CANDIDATE, Action.SUBMIT_REVIEW, S.IN_REVIEW),
    (S.IN_REVIEW, Action.RECORD_REVIEW, S.IN_REVIEW),
    (S.IN_REVIEW, Action.START_NOTICE, S.IN_NOTICE),
    (S.IN_NOTICE, Action.LODGE_OBJECTION, S.IN_NOTICE),
    (S.IN_NOTICE, Action.RESOLVE_OBJECTION, S.IN_NOTICE),
    (S.IN_NOTICE, Action.CONFIRM, S.CONFIRMED),
    (S.CONFIRMED, Action.REGISTER, S.REGISTERED),
    (S.CANDIDATE, Action.REJECT, S.REJECTED),
    (S.IN_REVIEW, Action.REJECT, S.REJECTED),
    (S.IN_NOTICE, Action.REJECT, S.REJECTED),
    (S.CONFIRMED, Action.REJECT, S.REJECTED),
    (S.REGISTERED, Action.REMOVE, S.REMOVED),
    (S.EXITED, Action.REMOVE, S.REMOVED),
    (S.REGISTERED, Action.REQUEST_EXIT, S.EXIT_REQUESTED),
    (S.EXIT_REQUESTED, Action.VERIFY_EXIT, S.EXITED),
    (S.EXIT_REQUESTED, Action.RETURN_EXIT, S.REGISTERED),
    (S.EXITED, Action.RELAPSE, S.REGISTERED),
    (S.EXITED, Action.REIDENTIFY, S.CANDIDATE),  # a relapse the policy routes through identification
]


@pytest.mark.parametrize(("start", "action", "end"), ALLOWED)
def test_allowed_transitions(start, action, end):
    assert next_status(start, action) is end


def _refused_pairs():
    allowed = {(s, a) for s, a, _ in ALLOWED}
    return [(s, a) for a in Action for s in S if (s, a) not in allowed]


def test_the_allowed_list_covers_the_whole_table():
    from_table = {(s, a) for a, (starts, _) in TRANSITIONS.items() for s in starts}
    assert from_table == {(s, a) for s, a, _ in ALLOWED}


@pytest.mark.parametrize(("start", "action"), _refused_pairs())
def test_every_other_transition_is_refused_with_409(start, action):
    with pytest.raises(TransitionRefused) as err:
        next_status(start, action)
    assert err.value.status == 409
    assert str(start) in err.value.detail


def test_notice_needs_an_approved_review():
    with pytest.raises(ReviewNotApproved):
        check_notice_start(review_result=None, review_held_on=None, starts_on=date(2017, 3, 1))
    with pytest.raises(ReviewNotApproved):
        check_notice_start(
            review_result=ReviewResult.NOT_APPROVED,
            review_held_on=date(2017, 3, 1),
            starts_on=date(2017, 3, 2),
        )
    with pytest.raises(TransitionRefused):
        check_notice_start(
            review_result=ReviewResult.APPROVED, review_held_on=date(2017, 3, 5), starts_on=date(2017, 3, 4)
        )
    check_notice_start(
        review_result=ReviewResult.APPROVED, review_held_on=date(2017, 3, 1), starts_on=date(2017, 3, 1)
    )


def test_seven_day_notice_from_the_first_is_confirmable_on_the_eighth_not_the_seventh():
    start = date(2017, 3, 1)
    with pytest.raises(PublicNoticeStillRunning) as err:
        check_confirmation(notice_starts_on=start, min_days=7, open_objections=0, on=date(2017, 3, 7))
    assert err.value.status == 409
    assert err.value.extensions["confirmable_on"] == "2017-03-08"
    check_confirmation(notice_starts_on=start, min_days=7, open_objections=0, on=date(2017, 3, 8))


def test_an_open_objection_blocks_confirmation_even_after_the_notice_ran():
    with pytest.raises(ObjectionsOpen) as err:
        check_confirmation(
            notice_starts_on=date(2017, 3, 1), min_days=7, open_objections=2, on=date(2017, 4, 1)
        )
    assert err.value.status == 409
    assert "2 objection" in err.value.detail


TODAY, ENTERED = date(2026, 12, 5), date(2026, 12, 5)


def test_without_a_reason_a_step_cannot_precede_the_households_entry():
    for reason in (None, "  "):
        floor = entry_floor(created_on=ENTERED, backdate_reason=reason)
        assert (floor.on, floor.what_zh) == (ENTERED, "本户录入系统的日期")


def test_with_a_reason_paper_history_goes_back_to_the_first_roll_year():
    floor = entry_floor(created_on=ENTERED, backdate_reason="纸质记录补录")
    assert (floor.on, floor.what_zh) == (date(2013, 1, 1), "建档立卡的最早年度（2013年）")
    # an earlier step of the same household stays the floor, reason or not
    notice = EntryFloor(date(2026, 11, 16), "the start of the public notice", "公示开始的日期")
    assert entry_floor(created_on=ENTERED, backdate_reason="补录", earlier_step=notice) == notice


def test_a_date_before_the_households_entry_is_always_a_late_entry():
    # entered two days ago: a date before it is late from the third day back, not only after 3 days
    assert late_tolerance(on=date(2026, 12, 2), created_on=date(2026, 12, 3), today=TODAY, policy_days=3) == 2
    assert late_tolerance(on=date(2026, 11, 15), created_on=ENTERED, today=TODAY, policy_days=3) == 0
    # on or after the entry: the policy's tolerance as before
    assert late_tolerance(on=date(2026, 12, 3), created_on=date(2026, 12, 3), today=TODAY, policy_days=3) == 3
