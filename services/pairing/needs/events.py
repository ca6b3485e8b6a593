"""Events the needs sub-domain publishes, and the registry events it consumes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import PairingNeed
from services.registry import events as registry
from shared.events.contracts import emit

NEED_OPENED = "pairing.need.opened.v1"

CONSUMED_AREA = registry.AreaUpserted.type
CONSUMED_HOUSEHOLD = tuple(
    contract.type
    for contract in (
        registry.HouseholdCandidateCreated,
        registry.HouseholdRegistered,
        registry.HouseholdUpdated,
        registry.HouseholdExitRequested,
        registry.HouseholdExited,
        registry.HouseholdExitReturned,
        registry.HouseholdRelapsed,
        registry.HouseholdRemoved,
        registry.HouseholdRejected,
    )
)


async def need_opened(session: AsyncSession, need: PairingNeed) -> None:
    await emit(
        session,
        contracts.NeedOpened.model_validate(
            {"need_id": str(need.id), "household_id": str(need.household_id), "area_code": need.area_code}
        ),
        subject=str(need.household_id),
    )
