"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from services.registry.exits import events as exit_events
from services.registry.exits import service as exit_service
from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {
    exit_events.EXIT_VERIFIED: exit_service.on_exit_verified,
    exit_events.EXIT_REJECTED: exit_service.on_exit_rejected,
}
