"""The snapshot's reads: accounts (ledger balances), plans and disbursements of an area subtree.

A ledger balance is the account's running ``balance_fen`` (the sum of its postings, kept in the
same transaction as each posting); a platform adds the postings of later
``funds.transaction.posted.v1`` events, skipping the snapshot's ``reflected`` ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from services.funds.models import Account, Disbursement, Plan

if TYPE_CHECKING:
    from shared.snapshot import AnySelect


def accounts(prefix: str) -> AnySelect:
    columns: list[Any] = [
        Account.code,
        Account.name,
        Account.area_code,
        Account.kind.label("account_kind"),  # "kind" names the line
        Account.balance_fen,
        Account.opened_on,
        Account.last_outflow_on,
    ]
    stmt = select(*columns).where(Account.area_code.startswith(prefix, autoescape=True))
    return stmt.order_by(Account.code)


def plans(prefix: str) -> AnySelect:
    columns: list[Any] = [
        Plan.id,
        Plan.scheme_id,
        Plan.scheme_code,
        Plan.scheme_kind,
        Plan.area_code,
        Plan.area_prefix,
        Plan.total_fen,
        Plan.people,
        Plan.revision,
        Plan.stale,
        Plan.computed_at,
    ]
    return select(*columns).where(Plan.area_code.startswith(prefix, autoescape=True)).order_by(Plan.id)


def disbursements(prefix: str) -> AnySelect:
    columns: list[Any] = [
        Disbursement.id,
        Disbursement.area_code,
        Disbursement.plan_id,
        Disbursement.beneficiary_kind,
        Disbursement.beneficiary_id,
        Disbursement.component,
        Disbursement.year,
        Disbursement.amount_fen,
        Disbursement.from_account,
        Disbursement.transaction_id,
        Disbursement.reversed_by,
        Disbursement.paid_on,
    ]
    return (
        select(*columns)
        .where(Disbursement.area_code.startswith(prefix, autoescape=True))
        .order_by(Disbursement.id)
    )
