"""Double-entry rules: every transaction is a set of postings that sums to zero.

A posting adds ``amount_fen`` to an account's balance (negative takes money out). Source accounts
(a budget paying in: the Jiangmen poverty fund, Kaiping finance) may run below zero, which reads as
"paid in so far"; every other account must never go below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.funds.errors import BudgetExceeded, InsufficientFunds, TransferNotAllowed, UnbalancedTransaction
from shared.money import yuan_en, yuan_zh

__all__ = [
    "AccountState",
    "Posting",
    "apply_postings",
    "check_balanced",
    "check_budget",
    "check_transfer",
    "lock_order",
    "reversal",
    "transfer",
]


@dataclass(frozen=True)
class Posting:
    account: str
    amount_fen: int


@dataclass(frozen=True)
class AccountState:
    code: str
    # source: pays in from a budget; holding: a special account or county pool; payout: money that
    # has left the system to its beneficiaries (households, villages, projects). The codes and their
    # words: the account_kind list (services/funds/vocabulary.json).
    kind: str
    balance_fen: int
    name: str = ""  # what a clerk calls it (开平市统筹整合资金池); the code stays in ``account``


def transfer(from_account: str, to_account: str, amount_fen: int) -> tuple[Posting, Posting]:
    return Posting(from_account, -amount_fen), Posting(to_account, amount_fen)


def check_balanced(postings: Iterable[Posting]) -> None:
    postings = list(postings)
    if len(postings) < 2:
        raise UnbalancedTransaction(
            "A transaction needs at least two postings", detail_zh="一笔账务至少需要两条分录"
        )
    if any(p.amount_fen == 0 for p in postings):
        raise UnbalancedTransaction("A posting of zero moves nothing", detail_zh="金额为零的分录没有意义")
    if len({p.account for p in postings}) != len(postings):
        raise UnbalancedTransaction(
            "Each account appears once in a transaction", detail_zh="同一账户在一笔账务中只能出现一次"
        )
    if (total := sum(p.amount_fen for p in postings)) != 0:
        raise UnbalancedTransaction(
            f"The postings sum to {yuan_en(total)} instead of zero",
            detail_zh=f"各分录合计为{yuan_zh(total)}，而不是零",
            imbalance_fen=total,
        )


def apply_postings(accounts: Mapping[str, AccountState], postings: Iterable[Posting]) -> dict[str, int]:
    """New balances, or InsufficientFunds if a non-source account would go below zero."""
    postings = list(postings)
    check_balanced(postings)
    balances: dict[str, int] = {}
    for p in postings:
        account = accounts[p.account]
        balance = account.balance_fen + p.amount_fen
        if balance < 0 and account.kind != "source":
            raise InsufficientFunds(
                f"Account {account.code} holds {yuan_en(account.balance_fen)}; "
                f"{yuan_en(-p.amount_fen)} cannot leave",
                detail_zh=f"账户“{account.name or account.code}”余额{yuan_zh(account.balance_fen)}，"
                f"不足以支出{yuan_zh(-p.amount_fen)}",
                account=account.code,
                balance_fen=account.balance_fen,
                requested_fen=-p.amount_fen,
            )
        balances[p.account] = balance
    return balances


def check_transfer(kind: str, from_kind: str, to_kind: str) -> None:
    """A receipt brings money in from a source; a transfer moves it between holding accounts.
    Payout accounts change only through disbursements, so "disbursed" cannot be faked by a transfer."""
    if "payout" in (from_kind, to_kind):
        raise TransferNotAllowed(
            "Payout accounts move only through disbursements and their reversals",
            detail_zh="已拨付账户只能通过拨付及其冲正变动",
        )
    if kind == "receipt" and (from_kind, to_kind) != ("source", "holding"):
        raise TransferNotAllowed(
            "A receipt goes from a source into a holding account",
            detail_zh="拨入须从资金来源账户进入托管账户",
        )
    if (
        kind == "transfer"
        and "source" in (from_kind, to_kind)
        and (from_kind, to_kind) != ("holding", "source")
    ):
        raise TransferNotAllowed(
            "Money enters from a source only as a receipt", detail_zh="资金只能以拨入方式从资金来源账户进入"
        )


def check_budget(*, budget_fen: int | None, received_fen: int, amount_fen: int) -> None:
    """No budget set for the year: nothing to check. Otherwise paying in up to the budget exactly is fine."""
    if budget_fen is not None and received_fen + amount_fen > budget_fen:
        raise BudgetExceeded(
            f"{yuan_en(received_fen + amount_fen)} would exceed the year's budget of {yuan_en(budget_fen)}",
            detail_zh=f"拨入后合计{yuan_zh(received_fen + amount_fen)}，"
            f"将超过本年度预算{yuan_zh(budget_fen)}",
            budget_fen=budget_fen,
            received_fen=received_fen,
        )


def lock_order(account_codes: Iterable[str]) -> list[str]:
    """Accounts are always locked in this one order, so two transfers never deadlock."""
    return sorted(set(account_codes))


def reversal(postings: Iterable[Posting]) -> list[Posting]:
    """Corrections are new, opposite entries; a posted entry is never edited."""
    return [Posting(p.account, -p.amount_fen) for p in postings]
