from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.funds.supervision.rules import (
    AccountFact,
    PaymentFact,
    StatusFact,
    detect_duplicate_payments,
    detect_idle_funds,
    detect_over_entitlement,
    detect_unpayable_beneficiaries,
)

AREA = "440783105001"


ENTERED = datetime(2017, 5, 1, 1, 0, tzinfo=UTC)


def pay(
    ident: str, household: str, amount: int = 100, paid_on: date = date(2017, 5, 1), minute: int = 0
) -> PaymentFact:
    entered = ENTERED + timedelta(minutes=minute)
    return PaymentFact(ident, "household", household, AREA, amount, "kaiping", 2017, paid_on, entered)


def test_payments_to_unknown_removed_and_long_exited_households_are_flagged() -> None:
    payments = [pay("d1", "ok"), pay("d2", "ghost"), pay("d3", "gone"), pay("d4", "out"), pay("d5", "kept")]
    statuses = {
        "ok": StatusFact("registered"),
        "gone": StatusFact("removed"),
        "out": StatusFact("exited", policies_kept_until=date(2017, 4, 30)),
        "kept": StatusFact("exited", policies_kept_until=date(2017, 5, 1)),
    }

    found = detect_unpayable_beneficiaries(payments, statuses)

    assert [(a.kind, a.signal_key) for a in found] == [
        ("non_registered_beneficiary", "non_registered_beneficiary:d2"),
        ("removed_beneficiary", "removed_beneficiary:d3"),
        ("exited_beneficiary", "exited_beneficiary:d4"),
    ]


def test_same_amount_same_purpose_twice_is_a_duplicate() -> None:
    found = detect_duplicate_payments(
        [pay("d1", "h"), pay("d2", "h"), pay("d3", "h", amount=200), pay("d4", "other")]
    )

    assert [(a.signal_key, a.amount_fen) for a in found] == [("duplicate_payment:d1:d2", 100)]


def test_the_payment_entered_later_the_same_day_is_the_duplicate_whatever_its_id() -> None:
    # ids are random (uuid4): the original may well have the larger one
    original, repeat = pay("f0-original", "h", minute=0), pay("0a-repeat", "h", minute=5)

    [found] = detect_duplicate_payments([repeat, original])

    assert found.detail["disbursement_id"] == "0a-repeat"
    assert found.detail["duplicate_of"] == "f0-original"
    # the key names the pair as it always did (by date, then id): a problem found before keeps it
    assert found.signal_key == "duplicate_payment:0a-repeat:f0-original"


def test_paid_above_entitlement_is_flagged_with_the_excess() -> None:
    key = ("household", "h")
    found = detect_over_entitlement(
        {key: 60_000, ("household", "ok"): 10}, {key: 50_000, ("household", "ok"): 10}, {key: AREA}
    )

    assert [(a.signal_key, a.amount_fen, a.area_code) for a in found] == [
        ("over_entitlement:household:h", 10_000, AREA)
    ]


def test_idle_means_strictly_longer_than_the_policy_days() -> None:
    def account(last: date) -> AccountFact:
        return AccountFact("pool", AREA, "holding", 5_000, last, date(2016, 1, 1))

    today = date(2017, 7, 1)
    at_limit = detect_idle_funds([account(date(2017, 1, 2))], today=today, idle_days=180)  # 180 days
    over = detect_idle_funds([account(date(2017, 1, 1))], today=today, idle_days=180)  # 181 days

    assert at_limit == []
    assert [(a.kind, a.amount_fen, a.signal_key) for a in over] == [
        ("idle_funds", 5_000, "idle_funds:pool:2017-01-01")
    ]


def test_empty_and_source_accounts_are_never_idle() -> None:
    old = date(2010, 1, 1)
    accounts = [
        AccountFact("empty", AREA, "holding", 0, None, old),
        AccountFact("budget", AREA, "source", -5, None, old),
    ]

    assert detect_idle_funds(accounts, today=date(2017, 1, 1), idle_days=180) == []
