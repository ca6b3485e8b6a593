"""What disbursements publish (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

DISBURSEMENT_RECORDED = contracts.DisbursementRecorded.type
DISBURSEMENT_REVERSED = contracts.DisbursementReversed.type
