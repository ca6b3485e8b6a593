"""What asset-income support publishes (docs/EVENTS.md, funds section)."""

AGREEMENT_SIGNED = "funds.asset_income.agreement_signed.v1"
DIVIDEND_DISTRIBUTED = "funds.asset_income.dividend_distributed.v1"
