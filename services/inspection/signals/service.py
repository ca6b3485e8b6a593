"""Turn another service's signal into a finding, once per signal however often it repeats."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.findings import events as finding_events
from services.inspection.findings.repository import FindingRepository
from services.inspection.models import Finding
from services.inspection.policies import presets
from services.inspection.signals import rules
from shared import audit

ACTOR = "inspection:signals"


async def raise_from_signal(*, session: AsyncSession, signal: rules.Signal, today: date) -> bool:
    """True when this signal raised a new finding; False when its finding already exists."""
    draft = rules.finding_for(
        signal, today, presets.SIGNAL_FINDINGS, presets.UNKNOWN_SIGNAL_FINDING, presets.RECTIFICATION_DAYS
    )
    repo = FindingRepository(session)
    finding = Finding(
        source_key=draft.source_key,
        area_code=draft.area_code,
        category=draft.category,
        severity=draft.severity,
        title=draft.title,
        description=signal.detail,
        responsible_unit=draft.responsible_unit,
        raised_on=today,
        deadline=draft.deadline,
        status="open",
        raised_by=ACTOR,
    )
    if not await repo.add_from_signal(finding):
        return False
    created = await repo.by_source_key(draft.source_key)
    await finding_events.publish_raised(session, created)
    await audit.record(
        session,
        ACTOR,
        "finding.raised",
        ("finding", created.id),
        after={"source_key": draft.source_key, "kind": signal.kind, "deadline": draft.deadline},
    )
    return True
