"""What the ledger publishes (docs/EVENTS.md, funds section)."""

TRANSACTION_POSTED = "funds.transaction.posted.v1"
