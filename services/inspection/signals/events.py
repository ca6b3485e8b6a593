"""Signals this sub-domain consumes: funds anomalies and pairing coverage gaps."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.signals import rules, service
from shared.areas import AreaCode
from shared.clock import clock
from shared.events import CloudEvent

FUNDS_ANOMALY = "funds.anomaly.detected.v1"
COVERAGE_GAP = "pairing.coverage.gap_detected.v1"


async def on_signal(session: AsyncSession, event: CloudEvent) -> None:
    d = event.data
    signal = rules.Signal(
        source=event.type.split(".", 1)[0],
        signal_key=str(d["signal_key"]),
        kind=str(d.get("kind") or "unknown"),
        area_code=AreaCode.parse(str(d["area_code"])).code,
        detail=_text(d.get("detail")),
    )
    await service.raise_from_signal(session=session, signal=signal, today=clock.date_of(event.time))


def _text(detail: Any) -> str:
    """Producers send detail as text or as a small object; keep it readable either way."""
    if detail is None:
        return ""
    return detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, sort_keys=True)
