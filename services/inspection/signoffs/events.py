"""What the sign-off publishes (through the outbox) and consumes (registry's exit request)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import SignoffDossier
from shared.events.contracts import emit

EXIT_REQUESTED = "registry.household.exit_requested.v1"
EXIT_RETURNED = "registry.household.exit_returned.v1"
EXIT_VERIFIED = "inspection.exit.verified.v1"
EXIT_REJECTED = "inspection.exit.rejected.v1"


AREA_EXIT_REQUESTED = "registry.area.exit_requested.v1"
AREA_EXITED = "registry.area.exited.v1"
AREA_EXIT_RETURNED = "registry.area.exit_returned.v1"
AREA_EXIT_VERIFIED = "inspection.area_exit.verified.v1"
AREA_EXIT_REJECTED = "inspection.area_exit.rejected.v1"


def _area_data(dossier: SignoffDossier) -> dict[str, str]:
    return {
        "exit_request_id": dossier.exit_request_id,
        "area_code": dossier.area_code,
        "kind": dossier.kind,
        "dossier_id": str(dossier.id),
    }


async def publish_verified(session: AsyncSession, dossier: SignoffDossier, on: date) -> None:
    if dossier.kind != "household":  # a village's or county's exit: its own event
        await emit(
            session,
            contracts.AreaExitVerified.model_validate({**_area_data(dossier), "verified_on": on.isoformat()}),
            subject=dossier.area_code,
        )
        return
    await emit(
        session,
        contracts.ExitVerified.model_validate(
            {
                "household_id": dossier.household_id,
                "area_code": dossier.area_code,
                "exit_request_id": dossier.exit_request_id,
                "dossier_id": str(dossier.id),
                "verified_on": on.isoformat(),
            }
        ),
        subject=str(dossier.household_id),
    )


async def publish_rejected(
    session: AsyncSession, dossier: SignoffDossier, *, level: str, step: str, reason: str
) -> None:
    if dossier.kind != "household":
        await emit(
            session,
            contracts.AreaExitRejected.model_validate(
                {**_area_data(dossier), "level": level, "step": step, "reason": reason}
            ),
            subject=dossier.area_code,
        )
        return
    await emit(
        session,
        contracts.ExitRejected.model_validate(
            {
                "household_id": dossier.household_id,
                "area_code": dossier.area_code,
                "exit_request_id": dossier.exit_request_id,
                "dossier_id": str(dossier.id),
                "level": level,
                "step": step,
                "reason": reason,
            }
        ),
        subject=str(dossier.household_id),
    )
