from __future__ import annotations

import pytest

from services.funds.errors import BudgetExceeded, InsufficientFunds, TransferNotAllowed, UnbalancedTransaction
from services.funds.ledger.rules import (
    AccountState,
    Posting,
    apply_postings,
    check_budget,
    check_transfer,
    lock_order,
    reversal,
    transfer,
)
from shared.money import yuan

ACCOUNTS = {
    "jiangmen-poverty-fund": AccountState("jiangmen-poverty-fund", "source", 0),
    "kaiping-special-account": AccountState("kaiping-special-account", "holding", yuan(1_000)),
    "paid-to-households": AccountState("paid-to-households", "payout", 0),
}


def test_a_source_may_pay_in_below_zero() -> None:
    balances = apply_postings(
        ACCOUNTS, transfer("jiangmen-poverty-fund", "kaiping-special-account", yuan(4_016_000))
    )

    assert balances == {"jiangmen-poverty-fund": -yuan(4_016_000), "kaiping-special-account": yuan(4_017_000)}


def test_a_holding_account_can_be_emptied_exactly() -> None:
    balances = apply_postings(
        ACCOUNTS, transfer("kaiping-special-account", "paid-to-households", yuan(1_000))
    )

    assert balances["kaiping-special-account"] == 0


def test_a_holding_account_never_goes_below_zero() -> None:
    with pytest.raises(InsufficientFunds) as refused:
        apply_postings(ACCOUNTS, transfer("kaiping-special-account", "paid-to-households", yuan(1_000) + 1))

    assert refused.value.status == 409
    assert refused.value.extensions["balance_fen"] == yuan(1_000)


@pytest.mark.parametrize(
    "postings",
    [
        [Posting("kaiping-special-account", -5), Posting("paid-to-households", 4)],
        [Posting("kaiping-special-account", -5)],
        [Posting("kaiping-special-account", 0), Posting("paid-to-households", 0)],
        [Posting("paid-to-households", -5), Posting("paid-to-households", 5)],
    ],
)
def test_unbalanced_or_empty_transactions_are_refused(postings: list[Posting]) -> None:
    with pytest.raises(UnbalancedTransaction):
        apply_postings(ACCOUNTS, postings)


def test_reversal_restores_balances() -> None:
    entry = transfer("kaiping-special-account", "paid-to-households", yuan(300))
    after = apply_postings(ACCOUNTS, entry)
    states = {
        code: AccountState(code, ACCOUNTS[code].kind, after.get(code, ACCOUNTS[code].balance_fen))
        for code in ACCOUNTS
    }

    restored = apply_postings(states, reversal(entry))

    assert restored == {"kaiping-special-account": yuan(1_000), "paid-to-households": 0}


def test_accounts_are_locked_in_one_fixed_order() -> None:
    assert lock_order(["b", "a", "c", "a"]) == lock_order(["c", "b", "a"]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("kind", "from_kind", "to_kind"),
    [
        ("receipt", "holding", "holding"),
        ("receipt", "source", "source"),
        ("transfer", "source", "holding"),
        ("transfer", "holding", "payout"),
        ("transfer", "payout", "holding"),
    ],
)
def test_money_moves_only_along_allowed_paths(kind: str, from_kind: str, to_kind: str) -> None:
    with pytest.raises(TransferNotAllowed):
        check_transfer(kind, from_kind, to_kind)


def test_receipts_and_pool_transfers_are_allowed() -> None:
    check_transfer("receipt", "source", "holding")
    check_transfer("transfer", "holding", "holding")
    check_transfer("transfer", "holding", "source")  # unspent money returned to its budget


def test_a_source_pays_in_up_to_its_budget_exactly() -> None:
    check_budget(budget_fen=yuan(376_500), received_fen=yuan(300_000), amount_fen=yuan(76_500))
    check_budget(budget_fen=None, received_fen=yuan(10**9), amount_fen=1)
    with pytest.raises(BudgetExceeded):
        check_budget(budget_fen=yuan(376_500), received_fen=yuan(300_000), amount_fen=yuan(76_500) + 1)
