"""What the areas sub-domain publishes (see docs/EVENTS.md)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events as contracts
from services.registry.models import Area
from shared.events.contracts import emit

AREA_UPSERTED = contracts.AreaUpserted.type


# The payload's fields but the income, read alike from an upserted row or a stored area.
_FIELDS = tuple(name for name in contracts.AreaUpserted.model_fields if name != "collective_income_fen")


async def publish_upserted(session: AsyncSession, area: Mapping[str, object], income_fen: int | None) -> None:
    payload = {name: area[name] for name in _FIELDS} | {"collective_income_fen": income_fen}
    await emit(session, contracts.AreaUpserted.model_validate(payload), subject=str(area["code"]))


async def publish_stored(session: AsyncSession, area: Area, income_fen: int | None) -> None:
    """The same event for an area read from the table (e.g. after its income was imported)."""
    await publish_upserted(session, {name: getattr(area, name) for name in _FIELDS}, income_fen)


__all__ = ["AREA_UPSERTED", "publish_stored", "publish_upserted"]
