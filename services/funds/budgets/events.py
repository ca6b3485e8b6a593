"""What budget compliance publishes (docs/EVENTS.md, funds section)."""

DECLARATION_RECORDED = "funds.budget_declaration.recorded.v1"
