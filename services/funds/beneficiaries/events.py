"""Registry events the beneficiary projection consumes (docs/EVENTS.md, registry section)."""

AREA_UPSERTED = "registry.area.upserted.v1"
HOUSEHOLD_REGISTERED = "registry.household.registered.v1"
HOUSEHOLD_UPDATED = "registry.household.updated.v1"
HOUSEHOLD_EXITED = "registry.household.exited.v1"
HOUSEHOLD_RELAPSED = "registry.household.relapsed.v1"
HOUSEHOLD_REMOVED = "registry.household.removed.v1"
