"""Events the needs sub-domain publishes, and the registry events it consumes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import PairingNeed
from services.registry import events as registry
from shared.events.contracts import emit, emit_many

NEED_OPENED = contracts.NeedOpened.type

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
    payload = contracts.NeedOpened.from_row(need, need_id=need.id)
    await emit(session, payload, subject=str(need.household_id))


async def needs_opened(session: AsyncSession, needs: Sequence[tuple[uuid.UUID, uuid.UUID, str]]) -> None:
    """``need_opened`` for many ``(need id, household id, area code)``, in one outbox INSERT."""
    await emit_many(
        session,
        [
            (
                str(household_id),
                contracts.NeedOpened.model_validate(
                    {"need_id": str(need_id), "household_id": str(household_id), "area_code": area_code}
                ),
            )
            for need_id, household_id, area_code in needs
        ],
    )
