"""What projects publish (docs/EVENTS.md, funds section)."""

PROJECT_STATUS_CHANGED = "funds.project.status_changed.v1"
