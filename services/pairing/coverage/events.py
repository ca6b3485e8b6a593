"""Events the coverage sub-domain publishes: one per gap, never one per check."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.models import CoverageGap
from shared.events import add_event

GAP_DETECTED = "pairing.coverage.gap_detected.v1"


async def gap_detected(session: AsyncSession, gap: CoverageGap) -> None:
    await add_event(
        session,
        type=GAP_DETECTED,
        subject=gap.signal_key,
        data={
            "gap_id": str(gap.id),
            "signal_key": gap.signal_key,
            "kind": gap.kind,
            "area_code": gap.area_code,
            "subject_id": gap.subject_id,
            "detail": gap.detail,
        },
    )
