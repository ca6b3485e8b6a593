from datetime import date

from services.inspection.policies import presets
from services.inspection.signals.rules import Signal, describe, finding_for, source_key


def draft(kind: str, source: str = "funds"):
    signal = Signal(source, "dup:pay-77", kind, "440783101203", "paid twice")
    return finding_for(
        signal,
        date(2026, 5, 1),
        presets.SIGNAL_FINDINGS,
        presets.UNKNOWN_SIGNAL_FINDING,
        presets.RECTIFICATION_DAYS,
    )


def test_duplicate_payment_is_high_severity_funds_misuse_due_in_15_days():
    d = draft("duplicate_payment")
    assert (d.category, d.severity, d.deadline) == ("funds_misuse", "high", date(2026, 5, 16))
    assert d.source_key == "funds:dup:pay-77"
    assert d.area_code == "440783101203"


def test_visit_overdue_is_low_severity_pairing_gap_due_in_60_days():
    d = draft("visit_overdue", "pairing")
    assert (d.category, d.severity, d.deadline) == ("pairing_gap", "low", date(2026, 6, 30))
    assert d.responsible_unit == "结对帮扶牵头单位"


def test_unknown_kind_still_becomes_a_medium_finding():
    d = draft("something_new")
    assert (d.category, d.severity, d.deadline) == ("other", "medium", date(2026, 5, 31))


def test_same_problem_has_the_same_key_per_source():
    assert source_key("funds", "k1") == source_key("funds", "k1")
    assert source_key("funds", "k1") != source_key("pairing", "k1")


def test_title_reads_like_a_problem_not_like_json():
    assert draft("duplicate_payment").title == "重复发放（资金监管预警）"
    assert draft("visit_overdue", "pairing").title == "未按期走访（结对帮扶预警）"
    assert draft("something_new").title == "something_new（资金监管预警）"  # no words yet: its code


def test_every_signal_the_policies_turn_into_findings_has_a_chinese_title():
    for kind, (_category, _severity, title) in presets.SIGNAL_FINDINGS.items():
        assert not title.isascii(), kind


def test_description_reads_as_words_not_json():
    """What the pairing and funds detectors send, as the finding's description a clerk reads."""
    overdue = {"last_visit_on": None, "due_on": "2026-11-06", "interval_days": 30}
    assert describe(overdue) == "上次走访日期：无；应走访日期：2026-11-06；走访周期（天）：30"
    over = {
        "beneficiary_kind": "village",
        "beneficiary_id": "350524101209",
        "disbursed_fen": 51_000_000,
        "entitlement_fen": 50_000_000,
    }
    assert (
        describe(over) == "受益对象类别：村；受益对象：350524101209；已拨付：510,000.00元；应享：500,000.00元"
    )
    assert describe({"status": "exited"}) == "户状态：已脱贫退出"
    assert describe({"new_member": 1}) == "new_member：1"  # a member without words yet keeps its name
    assert describe("unpaired for 45 days") == "unpaired for 45 days"
    assert describe(None) == ""
