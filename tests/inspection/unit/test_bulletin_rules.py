from datetime import date

import pytest

from services.inspection.bulletins.rules import month_bounds, summarize
from shared.errors import InvalidInput


def test_month_bounds_include_december():
    assert month_bounds(2026, 2) == (date(2026, 2, 1), date(2026, 3, 1))
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2027, 1, 1))
    with pytest.raises(InvalidInput):
        month_bounds(2026, 13)


def test_summary_counts():
    s = summarize(
        inspection_kinds=["announced", "unannounced", "unannounced"],
        finding_severities=["high", "low", "high"],
        verified=1,
        overdue_open=2,
        accountability_kinds=["bulletin", "bulletin", "admonishment_interview"],
    )
    assert (s.inspections, s.unannounced, s.findings_raised) == (3, 2, 3)
    assert s.findings_by_severity == {"high": 2, "low": 1}
    assert s.accountability_by_kind == {"admonishment_interview": 1, "bulletin": 2}
    assert (s.rectifications_verified, s.overdue_open) == (1, 2)
