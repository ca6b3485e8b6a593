from datetime import date

import pytest

from services.inspection.complaints.rules import (
    ComplaintFacts,
    complainant_visible,
    deadline_for,
    next_status,
    statistics,
)
from services.inspection.errors import ComplaintTransitionRefused
from services.inspection.policies import presets
from shared.errors import InvalidInput


def test_flow_and_refusals():
    assert next_status("received", "triage") == "triaged"
    assert next_status("received", "dismiss") == "dismissed"
    assert next_status("triaged", "assign") == "assigned"
    assert next_status("assigned", "assign") == "assigned"
    assert next_status("assigned", "resolve") == "resolved"
    for status, action in [("received", "resolve"), ("resolved", "assign"), ("dismissed", "triage")]:
        with pytest.raises(ComplaintTransitionRefused):
            next_status(status, action)


def test_deadlines():
    assert presets.COMPLAINT_DAYS == {"urgent": 7, "normal": 30}
    assert deadline_for(date(2026, 5, 1), "urgent", presets.COMPLAINT_DAYS) == date(2026, 5, 8)
    assert deadline_for(date(2026, 5, 1), "normal", presets.COMPLAINT_DAYS) == date(2026, 5, 31)
    with pytest.raises(InvalidInput):
        deadline_for(date(2026, 5, 1), "whenever", presets.COMPLAINT_DAYS)


def test_only_the_handler_sees_the_complainant():
    assert complainant_visible(frozenset({"complaint_handler"}))
    assert not complainant_visible(frozenset({"inspector", "admin"}))


def test_statistics():
    today = date(2026, 6, 1)
    rows = [
        ComplaintFacts("resolved", "funds", date(2026, 5, 10), date(2026, 5, 9)),
        ComplaintFacts("resolved", "funds", date(2026, 5, 10), date(2026, 5, 11)),
        ComplaintFacts("assigned", "exit", date(2026, 5, 31), None),
        ComplaintFacts("assigned", "exit", date(2026, 6, 1), None),
        ComplaintFacts("received", "other", None, None),
        ComplaintFacts("dismissed", "other", date(2026, 5, 1), None),
    ]
    s = statistics(rows, today)
    assert s.total == 6
    assert s.by_status == {"assigned": 2, "dismissed": 1, "received": 1, "resolved": 2}
    assert s.by_category == {"exit": 2, "funds": 2, "other": 2}
    assert (s.overdue, s.resolved, s.resolved_on_time) == (2, 2, 1)


def test_a_refused_step_is_said_in_the_screens_words():
    with pytest.raises(ComplaintTransitionRefused) as refused:
        next_status("resolved", "assign")
    assert refused.value.detail_zh == "状态为“已办结”的举报不能交办"
    assert str(refused.value) == "A complaint that is resolved cannot take the action assign."
