"""Findings: rectification transitions, deadlines, lateness and the escalation ladder."""

from datetime import date

import pytest

from services.inspection.errors import FindingTransitionRefused
from services.inspection.findings.rules import (
    RectificationState,
    days_overdue,
    deadline_for,
    due_escalations,
    is_overdue,
    next_status,
)
from services.inspection.policies import presets
from shared.errors import Conflict, InvalidInput

DEADLINE = date(2026, 3, 31)
LADDER = presets.ESCALATION_LADDER


def test_rectification_walks_open_submitted_verified():
    assert next_status("open", "submit") == "submitted"
    assert next_status("submitted", "accept") == "verified"
    assert next_status("submitted", "reject") == "open"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("open", "accept"),
        ("open", "reject"),
        ("verified", "submit"),
        ("verified", "reject"),
        ("submitted", "submit"),
    ],
)
def test_refused_transitions_are_conflicts(status, action):
    with pytest.raises(FindingTransitionRefused) as err:
        next_status(status, action)
    assert isinstance(err.value, Conflict)


def test_deadline_by_severity():
    assert presets.RECTIFICATION_DAYS == {"high": 15, "medium": 30, "low": 60}
    raised = date(2026, 3, 1)
    assert deadline_for(raised, "high", presets.RECTIFICATION_DAYS) == date(2026, 3, 16)
    assert deadline_for(raised, "medium", presets.RECTIFICATION_DAYS) == date(2026, 3, 31)
    assert deadline_for(raised, "low", presets.RECTIFICATION_DAYS) == date(2026, 4, 30)
    with pytest.raises(InvalidInput):
        deadline_for(raised, "urgent", presets.RECTIFICATION_DAYS)


def test_the_deadline_day_itself_is_not_late():
    open_ = RectificationState("open", DEADLINE, None)
    assert not is_overdue(open_, DEADLINE)
    assert is_overdue(open_, date(2026, 4, 1))
    assert days_overdue(open_, date(2026, 4, 1)) == 1


def test_report_filed_on_time_stops_the_clock_late_report_does_not():
    on_time = RectificationState("submitted", DEADLINE, DEADLINE)
    late = RectificationState("submitted", DEADLINE, date(2026, 4, 2))
    assert not is_overdue(on_time, date(2026, 6, 1))
    assert is_overdue(late, date(2026, 6, 1))
    assert not is_overdue(RectificationState("verified", DEADLINE, date(2026, 4, 2)), date(2026, 6, 1))


def test_ladder_is_bulletin_then_interview_then_discipline():
    assert [(s.kind, s.days_overdue) for s in LADDER] == [
        ("bulletin", 1),
        ("admonishment_interview", 15),
        ("discipline_referral", 30),
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 31), []),
        (date(2026, 4, 1), ["bulletin"]),
        (date(2026, 4, 14), ["bulletin"]),
        (date(2026, 4, 15), ["bulletin", "admonishment_interview"]),
        (date(2026, 4, 30), ["bulletin", "admonishment_interview", "discipline_referral"]),
    ],
)
def test_escalations_due_by_days_late(today, expected):
    assert due_escalations(RectificationState("open", DEADLINE, None), today, LADDER, frozenset()) == expected


def test_escalation_never_repeats_a_kind_already_recorded():
    state = RectificationState("open", DEADLINE, None)
    got = due_escalations(state, date(2026, 4, 20), LADDER, frozenset({"bulletin"}))
    assert got == ["admonishment_interview"]
    assert (
        due_escalations(state, date(2026, 4, 20), LADDER, frozenset({"bulletin", "admonishment_interview"}))
        == []
    )


def test_verification_needs_a_reason_to_reject_and_fake_cannot_pass():
    from services.inspection.findings.rules import FAKE_RECTIFICATION_KIND, check_verification

    check_verification(True, "", False)
    check_verification(False, "photos are from another village", True)
    with pytest.raises(InvalidInput, match="why"):
        check_verification(False, " ", False)
    with pytest.raises(InvalidInput, match="fake"):
        check_verification(True, "", True)
    assert FAKE_RECTIFICATION_KIND == "discipline_referral"


def test_bulletin_names_the_unit_interview_and_discipline_the_person():
    from services.inspection.findings.rules import subject_for

    assert subject_for("bulletin", "Township office", "Chief Sun") == "Township office"
    assert (
        subject_for("admonishment_interview", "Township office", "Chief Sun") == "Chief Sun (Township office)"
    )
    assert subject_for("discipline_referral", "Township office", None) == "Township office"


def test_a_refused_step_is_said_in_the_screens_words():
    with pytest.raises(FindingTransitionRefused) as refused:
        next_status("verified", "reject")
    assert refused.value.detail_zh == "状态为“已验收销号”的问题不能退回整改"


def test_a_category_not_in_the_list_is_refused_with_the_words_a_clerk_can_pick_from() -> None:
    """Found at stop 26: "问题类别“资金”不对，请从问题类别中选择" named no choice (``allowed`` held only
    English codes); the Chinese detail now lists the labels the form offers, for complaints too."""
    from services.inspection.complaints.rules import CATEGORY as COMPLAINT_CATEGORY
    from services.inspection.findings.rules import CATEGORY

    with pytest.raises(InvalidInput) as finding:
        CATEGORY.check("资金")
    assert finding.value.detail_zh == (
        "问题类别“资金”不对，应为以下之一：“识别不精准”、“数字脱贫、虚假脱贫”、“资金违规使用”、“资金闲置”、"
        "“结对帮扶不到位”、“政策落实不到位”、“作风问题”、“数据质量问题”、“其他”"
    )
    with pytest.raises(InvalidInput) as complaint:
        COMPLAINT_CATEGORY.check("贪污")
    assert complaint.value.detail_zh is not None
    assert complaint.value.detail_zh.startswith("举报类别“贪污”不对，应为以下之一：“识别不准、优亲厚友”、")
