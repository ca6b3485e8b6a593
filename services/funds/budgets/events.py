"""What budget compliance publishes (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

DECLARATION_RECORDED = contracts.BudgetDeclarationRecorded.type
