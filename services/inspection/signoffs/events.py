"""What the sign-off publishes (through the outbox) and consumes (registry's exit request)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import SignoffDossier
from services.registry import events as registry
from shared.events.contracts import EventContract, emit

EXIT_REQUESTED = registry.HouseholdExitRequested.type
EXIT_RETURNED = registry.HouseholdExitReturned.type
EXIT_VERIFIED = contracts.ExitVerified.type
EXIT_REJECTED = contracts.ExitRejected.type


AREA_EXIT_REQUESTED = registry.AreaExitRequested.type
AREA_EXITED = registry.AreaExited.type
AREA_EXIT_RETURNED = registry.AreaExitReturned.type
AREA_EXIT_VERIFIED = contracts.AreaExitVerified.type
AREA_EXIT_REJECTED = contracts.AreaExitRejected.type


def _area_data(dossier: SignoffDossier) -> dict[str, str]:
    return {
        "exit_request_id": dossier.exit_request_id,
        "area_code": dossier.area_code,
        "kind": dossier.kind,
        "dossier_id": str(dossier.id),
    }


def _household_data(dossier: SignoffDossier) -> dict[str, str | None]:
    return {
        "household_id": dossier.household_id,
        "area_code": dossier.area_code,
        "exit_request_id": dossier.exit_request_id,
        "dossier_id": str(dossier.id),
    }


async def _publish_verdict(
    session: AsyncSession,
    dossier: SignoffDossier,
    verdict: dict[str, str],
    *,
    household: type[EventContract],
    area: type[EventContract],
) -> None:
    """A household's verdict names the household; a village's or county's exit has its own event."""
    if dossier.kind == "household":
        event = household.model_validate({**_household_data(dossier), **verdict})
        await emit(session, event, subject=str(dossier.household_id))
    else:
        event = area.model_validate({**_area_data(dossier), **verdict})
        await emit(session, event, subject=dossier.area_code)


async def publish_verified(session: AsyncSession, dossier: SignoffDossier, on: date) -> None:
    verdict = {"verified_on": on.isoformat()}
    await _publish_verdict(
        session, dossier, verdict, household=contracts.ExitVerified, area=contracts.AreaExitVerified
    )


async def publish_rejected(
    session: AsyncSession, dossier: SignoffDossier, *, level: str, step: str, reason: str
) -> None:
    verdict = {"level": level, "step": step, "reason": reason}
    await _publish_verdict(
        session, dossier, verdict, household=contracts.ExitRejected, area=contracts.AreaExitRejected
    )
