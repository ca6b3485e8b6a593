"""Registry events the beneficiary projection consumes (contracts: services/registry/events.py)."""

from services.registry import events as registry

AREA_UPSERTED = registry.AreaUpserted.type
HOUSEHOLD_REGISTERED = registry.HouseholdRegistered.type
HOUSEHOLD_UPDATED = registry.HouseholdUpdated.type
HOUSEHOLD_EXITED = registry.HouseholdExited.type
HOUSEHOLD_RELAPSED = registry.HouseholdRelapsed.type
HOUSEHOLD_REMOVED = registry.HouseholdRemoved.type
