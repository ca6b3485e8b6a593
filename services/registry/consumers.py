"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from services.registry.exits import events as exit_events
from services.registry.exits import service as exit_service
from shared import cadres
from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {
    exit_events.EXIT_VERIFIED: exit_service.on_exit_verified,
    exit_events.EXIT_REJECTED: exit_service.on_exit_rejected,
    # who is paired to which household: a cadre reads only theirs (shared.cadres)
    "pairing.pairing.opened.v1": cadres.on_pairing_opened,
    "pairing.pairing.closed.v1": cadres.on_pairing_closed,
}
