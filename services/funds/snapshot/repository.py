"""The snapshot's reads: accounts (ledger balances), plans and disbursements of an area subtree.

A ledger balance is the account's running ``balance_fen`` (the sum of its postings, kept in the
same transaction as each posting); a platform adds the postings of later
``funds.transaction.posted.v1`` events, skipping the snapshot's ``reflected`` ones.
"""

from __future__ import annotations

from services.funds.models import Account, Disbursement, Plan
from shared.snapshot import area_rows

ACCOUNT_COLUMNS = ("code", "name", "area_code", "kind", "balance_fen", "opened_on", "last_outflow_on")
PLAN_COLUMNS = (
    "id",
    "scheme_id",
    "scheme_code",
    "scheme_kind",
    "area_code",
    "area_prefix",
    "total_fen",
    "people",
    "revision",
    "stale",
    "computed_at",
)
DISBURSEMENT_COLUMNS = (
    "id",
    "area_code",
    "plan_id",
    "beneficiary_kind",
    "beneficiary_id",
    "component",
    "year",
    "amount_fen",
    "from_account",
    "transaction_id",
    "reversed_by",
    "paid_on",
)

accounts = area_rows(Account, ACCOUNT_COLUMNS, key="code", renamed={"kind": "account_kind"})
plans = area_rows(Plan, PLAN_COLUMNS)
disbursements = area_rows(Disbursement, DISBURSEMENT_COLUMNS)
