from datetime import date

import pytest

from services.inspection.bulletins.rules import month_bounds, summarize, unannounced_gap
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
        year=2026,
        month=3,
        where="宕昌县（621223000000）",
        unannounced_required=1,
        month_over=True,
    )
    assert (s.inspections, s.unannounced, s.findings_raised) == (3, 2, 3)
    assert s.findings_by_severity == {"high": 2, "low": 1}
    assert s.accountability_by_kind == {"admonishment_interview": 1, "bulletin": 2}
    assert (s.rectifications_verified, s.overdue_open) == (1, 2)
    assert (s.unannounced_missing, s.gaps) == (False, [])


def test_a_month_without_an_unannounced_inspection_is_named_as_a_gap():
    # seed 001 三(四): 一月一督查暗访 — announced inspections alone do not meet it
    s = _quiet_month(["announced", "announced"], month=4, month_over=True)
    assert s.unannounced == 0
    assert s.unannounced_missing is True
    assert s.gaps == ["2026年4月宕昌县（621223000000）未开展暗访督查（一月一督查暗访）"]
    assert unannounced_gap(year=2026, month=5, where="全部地区", unannounced=1, required=1) is None
    assert (
        unannounced_gap(year=2026, month=5, where="全部地区", unannounced=1, required=2)
        == "2026年5月全部地区暗访督查1次，少于每月2次（一月一督查暗访）"
    )


def test_a_running_month_without_an_unannounced_inspection_yet_has_no_gap():
    # 一月一督查暗访 is for the whole month: on its 6th the inspection may still come
    s = _quiet_month(["announced"], month=12, month_over=False)
    assert (s.inspections, s.unannounced) == (1, 0)
    assert (s.unannounced_missing, s.gaps) == (False, [])


def _quiet_month(kinds: list[str], *, month: int, month_over: bool):  # type: ignore[no-untyped-def]
    """Tanchang county's month of 2026 with these inspections and nothing else (one 暗访 required)."""
    return summarize(
        inspection_kinds=kinds,
        finding_severities=[],
        verified=0,
        overdue_open=0,
        accountability_kinds=[],
        year=2026,
        month=month,
        where="宕昌县（621223000000）",
        unannounced_required=1,
        month_over=month_over,
    )
