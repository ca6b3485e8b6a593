"""What the sign-off publishes through the outbox: its verdicts (what it consumes, the registry's exit
requests: services/inspection/consumers.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection import events as contracts
from services.inspection.models import SignoffDossier
from shared.events.contracts import EventContract, emit


async def _publish_verdict(
    session: AsyncSession,
    dossier: SignoffDossier,
    verdict: dict[str, object],
    *,
    household: type[EventContract],
    area: type[EventContract],
) -> None:
    """A household's verdict names the household; a village's or county's exit has its own event."""
    if dossier.kind == "household":
        contract, subject = household, str(dossier.household_id)
    else:
        contract, subject = area, dossier.area_code
    await emit(session, contract.from_row(dossier, dossier_id=dossier.id, **verdict), subject=subject)


async def publish_verified(session: AsyncSession, dossier: SignoffDossier, on: date) -> None:
    verdict: dict[str, object] = {"verified_on": on}
    await _publish_verdict(
        session, dossier, verdict, household=contracts.ExitVerified, area=contracts.AreaExitVerified
    )


async def publish_rejected(
    session: AsyncSession, dossier: SignoffDossier, *, level: str, step: str, reason: str
) -> None:
    verdict: dict[str, object] = {"level": level, "step": step, "reason": reason}
    await _publish_verdict(
        session, dossier, verdict, household=contracts.ExitRejected, area=contracts.AreaExitRejected
    )
