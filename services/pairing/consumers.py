"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.needs import events as need_events
from services.pairing.needs import service as need_service
from services.registry import events as registry
from shared.events import CloudEvent
from shared.events.consumer import Handler
from shared.events.contracts import parse


async def on_area_upserted(session: AsyncSession, event: CloudEvent) -> None:
    await need_service.apply_area(session, registry.AreaUpserted.of(event))


async def on_household_event(session: AsyncSession, event: CloudEvent) -> None:
    # The event's own time decides the day pairings close, not when the consumer caught up.
    data = parse(event)
    if not isinstance(data, need_service.HouseholdEvent):
        raise TypeError(f"{event.type} is not a household event")
    await need_service.apply_household_event(session, data, today=event.time.date())


HANDLERS: dict[str, Handler] = {
    need_events.CONSUMED_AREA: on_area_upserted,
    **dict.fromkeys(need_events.CONSUMED_HOUSEHOLD, on_household_event),
}
