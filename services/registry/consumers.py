"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing import events as pairing
from services.registry.area_exits import events as area_exit_events
from services.registry.area_exits import service as area_exit_service
from services.registry.dci import rules as dci_rules
from services.registry.dci import service as dci_service
from services.registry.exits import events as exit_events
from services.registry.exits import service as exit_service
from services.registry.timeline import service as timeline
from services.registry.timeline.rules import CONSUMED as TIMELINE_EVENTS
from shared import cadres
from shared.events import CloudEvent
from shared.events.consumer import Batched, Handler


async def _pairing_opened(session: AsyncSession, event: CloudEvent) -> None:
    await cadres.on_pairing_opened(session, event)
    await timeline.on_event(session, event)


async def _pairing_closed(session: AsyncSession, event: CloudEvent) -> None:
    await cadres.on_pairing_closed(session, event)
    await timeline.on_event(session, event)


HANDLERS: dict[str, Handler] = {
    exit_events.EXIT_VERIFIED: exit_service.on_exit_verified,
    exit_events.EXIT_REJECTED: exit_service.on_exit_rejected,
    area_exit_events.AREA_EXIT_VERIFIED: area_exit_service.on_area_exit_verified,
    area_exit_events.AREA_EXIT_REJECTED: area_exit_service.on_area_exit_rejected,
    # who is paired to which household: a cadre reads only theirs (shared.cadres)
    # (and the household's timeline: helper, since when, until when and why)
    pairing.PairingOpened.type: _pairing_opened,
    pairing.PairingClosed.type: _pairing_closed,
    # DCI subscriptions: the registry's own household events become notify callbacks (docs/DCI.md)
    # (one handler object for them all: a fetch's registry events form one run)
    **dict.fromkeys(dci_rules.WATCHED_EVENTS, Batched(dci_service.on_registry_events)),
}
# a household's timeline learns visits, funds received and findings from the other services
_timeline = Batched(timeline.on_events)
HANDLERS |= {t: _timeline for t in TIMELINE_EVENTS if t not in HANDLERS}
