"""Posting balanced transactions: lock the accounts in a fixed order, check, write, audit, publish.

Every movement of money in the service goes through ``post``; disbursements call it too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.ledger import rules
from services.funds.ledger.repository import LedgerRepository
from services.funds.ledger.schemas import PostingOut, TransactionOut, TransferIn
from services.funds.models import Account, LedgerTransaction, Posting
from services.funds.sources.repository import AccountRepository
from services.funds.sources.service import AccountNotFound
from shared import audit
from shared.areas import AreaCode
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.events.contracts import emit

__all__ = ["TransactionNotFound", "post", "reverse", "to_out", "transfer"]


class TransactionNotFound(NotFound):
    type_slug = "transaction-not-found"
    title = "Ledger transaction not found"
    title_zh = "未找到该笔账务"
    hint_zh = "检查账务编号"
    hint_en = "Check the transaction id"


class AlreadyReversed(Conflict):
    type_slug = "transaction-already-reversed"
    title = "The transaction has been reversed already"
    title_zh = "该笔账务已冲正"
    hint_zh = "无需再次冲正"
    hint_en = "It needs no second reversal"


class NotReversible(Conflict):
    type_slug = "transaction-not-reversible"
    title = "This transaction cannot be reversed here"
    title_zh = "该笔账务不能在此冲正"
    hint_zh = "按该类账务的规定办理"
    hint_en = "Use the procedure for this kind of transaction"


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
    accounts = await AccountRepository(session).lock(p.account for p in postings)
    for p in postings:
        account = accounts.get(p.account)
        if account is None or not _may_touch(actor, account):
            raise AccountNotFound(f"Account {p.account} does not exist in your area", account=p.account)
    states = {c: rules.AccountState(c, a.kind, a.balance_fen) for c, a in accounts.items()}
    balances = rules.apply_postings(states, postings)
    for code, balance in balances.items():
        if balance < accounts[code].balance_fen:
            accounts[code].last_outflow_on = on
        accounts[code].balance_fen = balance
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
    await LedgerRepository(session).add(txn, rows)
    await session.refresh(txn)
    data = {
        "transaction_id": str(txn.id),
        "kind": kind,
        "area_code": txn.area_code,
        "year": year,
        "postings": [{"account": p.account, "amount_fen": p.amount_fen} for p in postings],
    }
    await audit.record(
        session,
        actor=actor,
        action=f"ledger.{kind}",
        entity_type="ledger_transaction",
        entity_id=txn.id,
        after=data,
    )
    await emit(session, fund_events.TransactionPosted.model_validate(data), subject=str(txn.id))
    return txn


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
    txn = await LedgerRepository(session).get(txn_id)
    if txn is None or not actor.covers(txn.area_code):
        raise TransactionNotFound(
            f"Transaction {txn_id} does not exist in your area", transaction_id=str(txn_id)
        )
    return txn


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
        raise NotReversible("A reversal is not reversed; post a new transaction instead")
    if original.kind == "disbursement" and not allow_disbursement:
        raise NotReversible("Reverse a disbursement through /disbursements/{id}/reverse")
    if (existing := await repo.reversal_of(txn_id)) is not None:
        raise AlreadyReversed(f"Reversed by {existing.id}", reversed_by=str(existing.id))
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


async def to_out(session: AsyncSession, txns: Sequence[LedgerTransaction]) -> list[TransactionOut]:
    postings = await LedgerRepository(session).postings([t.id for t in txns])
    return [
        TransactionOut(
            id=t.id,
            kind=t.kind,
            area_code=t.area_code,
            plan_id=t.plan_id,
            year=t.year,
            memo=t.memo,
            reverses_id=t.reverses_id,
            booked_on=t.booked_on,
            created_at=t.created_at,
            postings=[PostingOut.model_validate(p) for p in postings[t.id]],
        )
        for t in txns
    ]
