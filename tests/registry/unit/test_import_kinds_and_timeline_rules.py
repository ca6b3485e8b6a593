"""Pure rules of the import kinds (amounts in 元, header groups) and of the timeline (what another
service's event says about a household, read defensively by field name)."""

from __future__ import annotations

from datetime import date

from services.registry.identification.rules import Action
from services.registry.imports import kinds
from services.registry.timeline import rules
from services.registry.vocabulary import HouseholdStatus


def test_amounts_in_yuan_become_fen_and_malformed_ones_are_refused() -> None:
    assert kinds.yuan_to_fen("3560.50") == 356050
    assert kinds.yuan_to_fen("1,234.5") == 123450
    assert kinds.yuan_to_fen("1234元") == 123400
    assert kinds.yuan_to_fen("0") == 0
    for bad in ("3千", "9876.543", "-5", "", "1.2.3"):
        assert kinds.yuan_to_fen(bad) is None, bad


def test_an_incomes_header_needs_the_household_number_or_the_heads_id() -> None:
    _, missing = kinds.header_map(kinds.INCOMES, ["年度", "人均纯收入(元)"])
    assert missing == ["户编号或户主身份证号"]
    found, missing = kinds.header_map(kinds.INCOMES, ["\ufeff户主身份证号", "年份", "人均纯收入"])
    assert (missing, sorted(found)) == ([], ["amount", "resident_id", "year"])


def test_an_incomes_row_whose_household_number_excel_kept_as_a_number_is_told_so() -> None:
    cells = {"household_key": "4.40783E+17", "year": "2025", "amount": "3000"}
    row = kinds.INCOMES.parse(cells.get, date(2026, 12, 3))
    assert row.reasons == [
        "户编号被表格存成了数字（显示为4.40783E+17），后几位已丢失：请把户编号一列设为“文本”格式，照原花名册重新录入"
    ]


def test_events_are_read_by_field_name_and_skipped_when_not_about_one_household() -> None:
    village = {"target_type": "village", "target_id": "440783101201", "pairing_id": "p"}
    assert rules.learn("pairing.pairing.opened.v1", village) is None
    assert rules.learn("funds.disbursement.recorded.v1", {"beneficiary_kind": "project"}) is None
    assert rules.learn("inspection.finding.raised.v1", {"finding_id": "f"}) is None  # an inspector's own
    assert rules.learn("funds.anomaly.detected.v1", {"signal_key": "k", "detail": "not a dict"}) is None
    learned = rules.learn("pairing.visit.recorded.v1", {"household_id": "h", "visited_on": "2026-04-02"})
    assert learned is not None
    assert (learned.household_id, learned.actor, learned.detail) == ("h", None, {"visited_on": "2026-04-02"})
    answered = {"household_id": "h", "visited_on": "2026-04-03", "satisfaction": "basically_satisfied"}
    learned = rules.learn("pairing.visit.recorded.v2", answered)
    assert learned is not None
    assert learned.detail == {"visited_on": "2026-04-03", "satisfaction": "basically_satisfied"}
    assert rules.label("pairing.visit.recorded.v2") == "帮扶干部走访"
    gap = rules.learn(
        "pairing.coverage.gap_detected.v1",
        {"kind": "visit_overdue", "subject_id": "h", "signal_key": "pairing:visit_overdue:h:1"},
    )
    assert gap is not None
    assert gap.ref == "pairing:pairing:visit_overdue:h:1"  # as inspection names it


def test_next_actions_come_from_the_state_machine() -> None:
    offered = rules.next_actions(HouseholdStatus.EXIT_REQUESTED, "h", {})
    assert [(a.action, a.method, a.roles) for a in offered] == [
        (Action.VERIFY_EXIT.value, None, ("inspection",)),
        (Action.RETURN_EXIT.value, None, ("inspection",)),
    ]
    assert rules.next_actions(HouseholdStatus.REMOVED, "h", {}) == []
