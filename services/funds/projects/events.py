"""What projects publish (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

PROJECT_STATUS_CHANGED = contracts.ProjectStatusChanged.type
