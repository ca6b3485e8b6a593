"""GET /funds/v1/snapshot: accounts (balances), plans and disbursements under an area, as NDJSON."""

from __future__ import annotations

from services.funds.snapshot import repository
from shared.snapshot import Section, snapshot_router

SECTIONS = (
    Section("account", repository.accounts),
    Section("plan", repository.plans),
    Section("disbursement", repository.disbursements),
)
router = snapshot_router("funds", SECTIONS, what="account…, plan…, disbursement…")
