"""Double-entry rules: every transaction is a set of postings that sums to zero.

A posting adds ``amount_fen`` to an account's balance (negative takes money out). Source accounts
(a budget paying in: the Jiangmen poverty fund, Kaiping finance) may run below zero, which reads as
"paid in so far"; every other account must never go below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.errors import Conflict, InvalidInput

__all__ = [
    "ACCOUNT_KINDS",
    "AccountState",
    "InsufficientFunds",
    "Posting",
    "UnbalancedTransaction",
    "BudgetExceeded",
    "TransferNotAllowed",
    "apply_postings",
    "check_balanced",
    "check_budget",
    "check_transfer",
    "lock_order",
    "reversal",
    "transfer",
]

# source: pays in from a budget; holding: a special account or county pool; payout: money that
# has left the system to its beneficiaries (households, villages, projects).
ACCOUNT_KINDS = ("source", "holding", "payout")


class UnbalancedTransaction(InvalidInput):
    type_slug = "unbalanced-transaction"
    title = "A ledger transaction must balance"
    title_zh = "账务借贷不平衡"
    hint_zh = "使各分录金额合计为零后重新提交"
    hint_en = "Make the entries sum to zero"


class InsufficientFunds(Conflict):
    type_slug = "insufficient-funds"
    title = "The account does not hold enough money"
    title_zh = "账户余额不足"
    hint_zh = "先查看账户余额，减少金额或先拨入资金"
    hint_en = "Check the balance; lower the amount or fund the account first"


@dataclass(frozen=True)
class Posting:
    account: str
    amount_fen: int


@dataclass(frozen=True)
class AccountState:
    code: str
    kind: str
    balance_fen: int


def transfer(from_account: str, to_account: str, amount_fen: int) -> tuple[Posting, Posting]:
    return Posting(from_account, -amount_fen), Posting(to_account, amount_fen)


def check_balanced(postings: Iterable[Posting]) -> None:
    postings = list(postings)
    if len(postings) < 2:
        raise UnbalancedTransaction("A transaction needs at least two postings")
    if any(p.amount_fen == 0 for p in postings):
        raise UnbalancedTransaction("A posting of zero moves nothing")
    if len({p.account for p in postings}) != len(postings):
        raise UnbalancedTransaction("Each account appears once in a transaction")
    if (total := sum(p.amount_fen for p in postings)) != 0:
        raise UnbalancedTransaction(f"The postings sum to {total} fen instead of zero", imbalance_fen=total)


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
                f"Account {account.code} holds {account.balance_fen} fen; {-p.amount_fen} fen cannot leave",
                account=account.code,
                balance_fen=account.balance_fen,
                requested_fen=-p.amount_fen,
            )
        balances[p.account] = balance
    return balances


class TransferNotAllowed(Conflict):
    type_slug = "transfer-not-allowed"
    title = "Money cannot move between these kinds of account this way"
    title_zh = "这两类账户之间不能这样划转资金"
    hint_zh = "按资金流向（来源→统筹→项目→受益对象）办理"
    hint_en = "Follow the money's path between account kinds"


class BudgetExceeded(Conflict):
    type_slug = "budget-exceeded"
    title = "The source would pay in more than its budget for the year"
    title_zh = "拨入金额将超过该来源本年度预算"
    hint_zh = "先核对本年度预算，或调整预算后再拨入"
    hint_en = "Check or raise the year's budget first"


def check_transfer(kind: str, from_kind: str, to_kind: str) -> None:
    """A receipt brings money in from a source; a transfer moves it between holding accounts.
    Payout accounts change only through disbursements, so "disbursed" cannot be faked by a transfer."""
    if "payout" in (from_kind, to_kind):
        raise TransferNotAllowed("Payout accounts move only through disbursements and their reversals")
    if kind == "receipt" and (from_kind, to_kind) != ("source", "holding"):
        raise TransferNotAllowed("A receipt goes from a source into a holding account")
    if (
        kind == "transfer"
        and "source" in (from_kind, to_kind)
        and (from_kind, to_kind) != ("holding", "source")
    ):
        raise TransferNotAllowed("Money enters from a source only as a receipt")


def check_budget(*, budget_fen: int | None, received_fen: int, amount_fen: int) -> None:
    """No budget set for the year: nothing to check. Otherwise paying in up to the budget exactly is fine."""
    if budget_fen is not None and received_fen + amount_fen > budget_fen:
        raise BudgetExceeded(
            f"{received_fen + amount_fen} fen would exceed the year's budget of {budget_fen} fen",
            budget_fen=budget_fen,
            received_fen=received_fen,
        )


def lock_order(account_codes: Iterable[str]) -> list[str]:
    """Accounts are always locked in this one order, so two transfers never deadlock."""
    return sorted(set(account_codes))


def reversal(postings: Iterable[Posting]) -> list[Posting]:
    """Corrections are new, opposite entries; a posted entry is never edited."""
    return [Posting(p.account, -p.amount_fen) for p in postings]
