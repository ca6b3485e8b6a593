"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.needs import events as need_events
from services.pairing.needs import service as need_service
from services.registry import events as registry
from shared.clock import clock
from shared.events import CloudEvent
from shared.events.consumer import Batched, Handler
from shared.events.contracts import parse


async def on_area_upserted(session: AsyncSession, event: CloudEvent) -> None:
    await need_service.apply_area(session, registry.AreaUpserted.of(event))


async def on_household_events(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    # The event's own time decides the day pairings close, not when the consumer caught up: its
    # date in the office's zone (an event at 01:00 Beijing time is stamped 17:00 UTC the day before).
    items = []
    for event in events:
        data = parse(event)
        if not isinstance(data, need_service.HouseholdEvent):
            raise TypeError(f"{event.type} is not a household event")
        items.append((data, clock.date_of(event.time)))
    await need_service.apply_household_events(session, items)


on_household_event = Batched(on_household_events)


HANDLERS: dict[str, Handler] = {
    need_events.CONSUMED_AREA: on_area_upserted,
    **dict.fromkeys(need_events.CONSUMED_HOUSEHOLD, on_household_event),
}
