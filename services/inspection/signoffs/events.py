"""What the sign-off publishes (through the outbox) and consumes (registry's exit request)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.models import SignoffDossier
from shared.events import add_event

EXIT_REQUESTED = "registry.household.exit_requested.v1"
EXIT_RETURNED = "registry.household.exit_returned.v1"
EXIT_VERIFIED = "inspection.exit.verified.v1"
EXIT_REJECTED = "inspection.exit.rejected.v1"


async def publish_verified(session: AsyncSession, dossier: SignoffDossier, on: date) -> None:
    await add_event(
        session,
        type=EXIT_VERIFIED,
        subject=dossier.household_id,
        data={
            "household_id": dossier.household_id,
            "area_code": dossier.area_code,
            "exit_request_id": dossier.exit_request_id,
            "dossier_id": str(dossier.id),
            "verified_on": on.isoformat(),
        },
    )


async def publish_rejected(
    session: AsyncSession, dossier: SignoffDossier, *, level: str, step: str, reason: str
) -> None:
    await add_event(
        session,
        type=EXIT_REJECTED,
        subject=dossier.household_id,
        data={
            "household_id": dossier.household_id,
            "area_code": dossier.area_code,
            "exit_request_id": dossier.exit_request_id,
            "dossier_id": str(dossier.id),
            "level": level,
            "step": step,
            "reason": reason,
        },
    )
