"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {}
