"""What disbursements publish (docs/EVENTS.md, funds section)."""

DISBURSEMENT_RECORDED = "funds.disbursement.recorded.v1"
DISBURSEMENT_REVERSED = "funds.disbursement.reversed.v1"
