"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from services.pairing import events as pairing
from services.registry.area_exits import events as area_exit_events
from services.registry.area_exits import service as area_exit_service
from services.registry.dci import rules as dci_rules
from services.registry.dci import service as dci_service
from services.registry.exits import events as exit_events
from services.registry.exits import service as exit_service
from shared import cadres
from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {
    exit_events.EXIT_VERIFIED: exit_service.on_exit_verified,
    exit_events.EXIT_REJECTED: exit_service.on_exit_rejected,
    area_exit_events.AREA_EXIT_VERIFIED: area_exit_service.on_area_exit_verified,
    area_exit_events.AREA_EXIT_REJECTED: area_exit_service.on_area_exit_rejected,
    # who is paired to which household: a cadre reads only theirs (shared.cadres)
    pairing.PairingOpened.type: cadres.on_pairing_opened,
    pairing.PairingClosed.type: cadres.on_pairing_closed,
    # DCI subscriptions: the registry's own household events become notify callbacks (docs/DCI.md)
    **dict.fromkeys(dci_rules.WATCHED_EVENTS, dci_service.on_registry_event),
}
