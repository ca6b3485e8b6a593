"""Events the coverage sub-domain publishes: one per gap, never one per check."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as contracts
from services.pairing.models import CoverageGap
from shared.events.contracts import emit_many

GAP_DETECTED = contracts.CoverageGapDetected.type


def _gap(gap: CoverageGap) -> contracts.CoverageGapDetected:
    return contracts.CoverageGapDetected.from_row(gap, gap_id=gap.id)


async def gaps_detected(session: AsyncSession, gaps: Sequence[CoverageGap]) -> None:
    """One ``gap_detected`` event per gap, one INSERT for the lot."""
    await emit_many(session, [(g.signal_key, _gap(g)) for g in gaps])
