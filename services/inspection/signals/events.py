"""Signals this sub-domain consumes: funds anomalies and pairing coverage gaps."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as funds
from services.inspection.signals import rules, service
from services.pairing import events as pairing
from shared.areas import AreaCode
from shared.clock import clock
from shared.events import CloudEvent
from shared.events.contracts import parse

FUNDS_ANOMALY = funds.AnomalyDetected.type
COVERAGE_GAP = pairing.CoverageGapDetected.type


async def on_signal(session: AsyncSession, event: CloudEvent) -> None:
    d = parse(event)
    if not isinstance(d, funds.AnomalyDetected | pairing.CoverageGapDetected):
        raise TypeError(f"{event.type} is not a signal")
    signal = rules.Signal(
        source=event.type.split(".", 1)[0],
        signal_key=d.signal_key,
        kind=d.kind or "unknown",
        area_code=AreaCode.parse(d.area_code).code,
        detail=rules.describe(d.detail),
    )
    await service.raise_from_signal(session=session, signal=signal, today=clock.date_of(event.time))

