"""Turn another service's signal into a finding, once per signal however often it repeats."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.findings import service as finding_service
from services.inspection.findings.repository import FindingRepository
from services.inspection.policies import presets
from services.inspection.signals import rules

ACTOR = "inspection:signals"


async def raise_from_signal(*, session: AsyncSession, signal: rules.Signal, today: date) -> bool:
    """True when this signal raised a new finding; False when its finding already exists."""
    draft = rules.finding_for(
        signal, today, presets.SIGNAL_FINDINGS, presets.UNKNOWN_SIGNAL_FINDING, presets.RECTIFICATION_DAYS
    )
    repo = FindingRepository(session)
    finding = finding_service.opened(
        {**asdict(draft), "description": signal.detail}, raised_on=today, raised_by=ACTOR
    )
    if not await repo.add_from_signal(finding):
        return False
    created = await repo.by_source_key(draft.source_key)
    after = {"source_key": draft.source_key, "kind": signal.kind, "deadline": draft.deadline}
    await finding_service.announce_raised(session, ACTOR, created, after=after)
    return True
