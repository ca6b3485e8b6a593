"""What asset-income support publishes (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

AGREEMENT_SIGNED = contracts.AssetIncomeAgreementSigned.type
DIVIDEND_DISTRIBUTED = contracts.AssetIncomeDividendDistributed.type
