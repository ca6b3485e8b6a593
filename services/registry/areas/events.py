"""What the areas sub-domain publishes (see docs/EVENTS.md)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from shared.events.contracts import emit

AREA_UPSERTED = "registry.area.upserted.v1"


async def publish_upserted(
    session: AsyncSession, area: Mapping[str, object], income_fen: int | None
) -> None:
    await emit(
        session,
        contracts.AreaUpserted.model_validate(
            {
                "code": area["code"],
                "name": area["name"],
                "level": area["level"],
                "parent_code": area["parent_code"],
                "poor_village": area["poor_village"],
                "old_area_village": area["old_area_village"],
                "key_village": area["key_village"],
                "pairing_village": area["pairing_village"],
                "pairing_dispatch_level": area["pairing_dispatch_level"],
                "rural_population": area["rural_population"],
                "collective_income_fen": income_fen,
            }
        ),
        subject=str(area["code"]),
    )


__all__ = ["AREA_UPSERTED", "publish_upserted"]
