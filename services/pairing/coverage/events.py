"""Events the coverage sub-domain publishes: one per gap, never one per check."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import CoverageGap
from shared.events.contracts import emit_many

GAP_DETECTED = "pairing.coverage.gap_detected.v1"


def _data(gap: CoverageGap) -> dict[str, object]:
    return {
        "gap_id": str(gap.id),
        "signal_key": gap.signal_key,
        "kind": gap.kind,
        "area_code": gap.area_code,
        "subject_id": gap.subject_id,
        "detail": gap.detail,
    }


async def gaps_detected(session: AsyncSession, gaps: Sequence[CoverageGap]) -> None:
    """One ``gap_detected`` event per gap, one INSERT for the lot."""
    await emit_many(
        session, [(g.signal_key, contracts.CoverageGapDetected.model_validate(_data(g))) for g in gaps]
    )
