"""What the ledger publishes (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

TRANSACTION_POSTED = contracts.TransactionPosted.type
