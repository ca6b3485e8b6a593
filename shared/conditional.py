"""Conditional GET: a client that already holds the current version gets ``304 Not Modified``.

Field clients poll the same records on poor connections. A GET (or HEAD) that carries
``If-None-Match`` with the ETag the route would answer with gets a 304 with no body (RFC 9110
13.1.2, weak comparison), so a cadre's phone re-validates a household card in a few hundred bytes.
Routes need no change: any 200 with an ``ETag`` header qualifies. The route still runs (reads are
cheap next to the mobile link); only the body is not sent.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ConditionalGetMiddleware", "etag_matches", "not_modified_start"]

# Headers a 304 keeps (RFC 9110 15.4.5); the representation's own headers are dropped.
_KEPT = {"etag", "cache-control", "content-location", "date", "expires", "vary", "x-request-id"}


def etag_matches(if_none_match: str, current: str) -> bool:
    """Weak comparison of an If-None-Match list against the current ETag."""
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or current.strip().removeprefix("W/") in wanted


def not_modified_start(message: Message, if_none_match: str) -> tuple[Message, bool]:
    """The start of a 200 answer to a GET or HEAD with ``If-None-Match``: a 304's instead (and True)
    when its ETag matches, with only the headers a 304 keeps; else the message as it is (and False)."""
    headers = MutableHeaders(raw=list(message["headers"]))
    current = headers.get("etag")
    if message["status"] == 200 and current and etag_matches(if_none_match, current):
        kept = [(k, v) for k, v in headers.raw if k.decode("latin-1").lower() in _KEPT]
        return {"type": "http.response.start", "status": 304, "headers": kept}, True
    return message, False


class ConditionalGetMiddleware:
    """The conditional GET alone (the service apps have it in ``RequestContextMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        if not if_none_match:
            await self.app(scope, receive, send)
            return

        not_modified = False

        async def send_conditionally(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                start, not_modified = not_modified_start(message, if_none_match)
                if not_modified:
                    await send(start)
                    return
            elif message["type"] == "http.response.body" and not_modified:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_conditionally)
