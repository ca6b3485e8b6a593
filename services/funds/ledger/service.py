"""Posting balanced transactions: lock the accounts in a fixed order, check, write, audit, publish.

Every movement of money in the service goes through ``post``; disbursements call it too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.errors import AccountNotFound, AlreadyReversed, NotReversible, TransactionNotFound
from services.funds.ledger import rules
from services.funds.ledger.repository import LedgerRepository
from services.funds.ledger.schemas import TransferIn
from services.funds.models import Account, LedgerTransaction, Posting
from services.funds.sources.repository import AccountRepository
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.events.contracts import emit
from shared.repository import Slice

__all__ = [
    "Booked",
    "page",
    "post",
    "read",
    "record_reversal",
    "record_transfer",
    "reverse",
    "transfer",
]


async def post(
    session: AsyncSession,
    *,
    actor: Principal,
    kind: str,
    postings: Sequence[rules.Posting],
    on: date,
    plan_id: uuid.UUID | None = None,
    year: int | None = None,
    memo: str = "",
    reverses_id: uuid.UUID | None = None,
) -> LedgerTransaction:
    rules.check_balanced(postings)
    accounts = await _lock_accounts(session, actor=actor, postings=postings)
    _move_balances(accounts, postings, on=on)
    main = next(accounts[p.account] for p in postings if accounts[p.account].kind != "source")
    txn = LedgerTransaction(
        id=uuid.uuid4(),
        kind=kind,
        area_code=main.area_code,
        plan_id=plan_id,
        year=year,
        memo=memo,
        reverses_id=reverses_id,
        actor=actor.sub,
        booked_on=on,
    )
    rows = [Posting(transaction_id=txn.id, account_code=p.account, amount_fen=p.amount_fen) for p in postings]
    repo = LedgerRepository(session)
    await repo.add(txn, refresh=True)
    await repo.add_postings(rows)
    data = {
        "transaction_id": str(txn.id),
        "kind": kind,
        "area_code": txn.area_code,
        "year": year,
        "postings": [{"account": p.account, "amount_fen": p.amount_fen} for p in postings],
    }
    await audit.record(session, actor, f"ledger.{kind}", ("ledger_transaction", txn.id), after=data)
    await emit(session, fund_events.TransactionPosted.model_validate(data), subject=str(txn.id))
    return txn


async def _lock_accounts(
    session: AsyncSession, *, actor: Principal, postings: Sequence[rules.Posting]
) -> dict[str, Account]:
    """Lock the accounts posted to (in one fixed order); one the caller may not touch does not exist."""
    accounts = await AccountRepository(session).lock(p.account for p in postings)
    for p in postings:
        account = accounts.get(p.account)
        if account is None or not _may_touch(actor, account):
            raise AccountNotFound(f"Account {p.account} does not exist in your area", account=p.account)
    return accounts


def _move_balances(accounts: dict[str, Account], postings: Sequence[rules.Posting], *, on: date) -> None:
    """The new balances (refused if a non-source account would go below zero); money leaving an
    account dates its last outflow (idle-funds supervision reads it)."""
    states = {c: rules.AccountState(c, a.kind, a.balance_fen, a.name) for c, a in accounts.items()}
    for code, balance in rules.apply_postings(states, postings).items():
        if balance < accounts[code].balance_fen:
            accounts[code].last_outflow_on = on
        accounts[code].balance_fen = balance


def _may_touch(actor: Principal, account: Account) -> bool:
    """Accounts in the caller's area, and the budgets of the levels above it: Jiangmen's poverty
    fund pays into Kaiping's special account, recorded by Kaiping. Another city's budget: no."""
    if actor.covers(account.area_code):
        return True
    return account.kind == "source" and actor.area_code.startswith(AreaCode.parse(account.area_code).prefix)


async def transfer(
    session: AsyncSession, *, actor: Principal, data: TransferIn, on: date
) -> LedgerTransaction:
    accounts = await AccountRepository(session).lock([data.from_account, data.to_account])
    missing = next((c for c in (data.from_account, data.to_account) if c not in accounts), None)
    if missing is not None:
        raise AccountNotFound(f"Account {missing} does not exist in your area", account=missing)
    source, target = accounts[data.from_account], accounts[data.to_account]
    rules.check_transfer(data.kind, source.kind, target.kind)
    if data.kind == "receipt" and data.year is not None:
        # the source is locked, so two receipts cannot both fit under the budget's last fen
        budget = await AccountRepository(session).budget(source.code, data.year)
        rules.check_budget(
            budget_fen=budget.amount_fen if budget else None,
            received_fen=await LedgerRepository(session).received_from(source.code, data.year),
            amount_fen=data.amount_fen,
        )
    return await post(
        session,
        actor=actor,
        kind=data.kind,
        postings=rules.transfer(data.from_account, data.to_account, data.amount_fen),
        on=on,
        plan_id=data.plan_id,
        year=data.year,
        memo=data.memo,
    )


async def get_visible(session: AsyncSession, *, actor: Principal, txn_id: uuid.UUID) -> LedgerTransaction:
    missing = TransactionNotFound(
        f"Transaction {txn_id} does not exist in your area", transaction_id=str(txn_id)
    )
    return await LedgerRepository(session).get_in_area(txn_id, actor, missing)


async def reverse(
    session: AsyncSession,
    *,
    actor: Principal,
    txn_id: uuid.UUID,
    reason: str,
    on: date,
    allow_disbursement: bool = False,
) -> LedgerTransaction:
    """A correction is a new, opposite transaction; the original stays as it was."""
    repo = LedgerRepository(session)
    original = await get_visible(session, actor=actor, txn_id=txn_id)
    await repo.get(txn_id, lock=True)
    if original.kind == "reversal":
        raise NotReversible(
            "A reversal is not reversed; post a new transaction instead",
            detail_zh="冲正记录不能再冲正；请另行记一笔新账务",
        )
    if original.kind == "disbursement" and not allow_disbursement:
        raise NotReversible(
            "Reverse a disbursement through /disbursements/{id}/reverse",
            detail_zh="拨付须通过 /disbursements/{id}/reverse 冲正",
        )
    if (existing := await repo.reversal_of(txn_id)) is not None:
        raise AlreadyReversed(
            f"Reversed by {existing.id}", detail_zh=f"已由{existing.id}冲正", reversed_by=str(existing.id)
        )
    postings = (await repo.postings([txn_id]))[txn_id]
    entries = rules.reversal(rules.Posting(p.account_code, p.amount_fen) for p in postings)
    return await post(
        session,
        actor=actor,
        kind="reversal",
        postings=entries,
        on=on,
        plan_id=original.plan_id,
        year=original.year,
        memo=reason,
        reverses_id=original.id,
    )


@dataclass(frozen=True)
class Booked:
    """A ledger transaction with its postings, as the ledger's routes answer it."""

    transaction: LedgerTransaction
    postings: list[Posting]


async def _booked(session: AsyncSession, txns: Sequence[LedgerTransaction]) -> list[Booked]:
    postings = await LedgerRepository(session).postings([t.id for t in txns])
    return [Booked(t, postings[t.id]) for t in txns]


async def record_transfer(session: AsyncSession, *, actor: Principal, data: TransferIn, on: date) -> Booked:
    [booked] = await _booked(session, [await transfer(session, actor=actor, data=data, on=on)])
    return booked


async def record_reversal(
    session: AsyncSession, *, actor: Principal, txn_id: uuid.UUID, reason: str, on: date
) -> Booked:
    [booked] = await _booked(
        session, [await reverse(session, actor=actor, txn_id=txn_id, reason=reason, on=on)]
    )
    return booked


async def read(session: AsyncSession, *, actor: Principal, txn_id: uuid.UUID) -> Booked:
    [booked] = await _booked(session, [await get_visible(session, actor=actor, txn_id=txn_id)])
    return booked


async def page(session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Booked]:
    """Newest first."""
    txns = await LedgerRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)
    return Slice(await _booked(session, txns.items), txns.next_cursor)
