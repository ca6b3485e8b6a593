"""Gzip for responses, sized to the body: Starlette's GZipMiddleware with a cheaper compressor.

Starlette opens every compressor with zlib's largest window and memory level (about 256 KiB of
state, allocated and cleared per response), which cost more than compressing a 2-10 KiB JSON
answer itself (a household card, a roll-up, a list page: the third of their CPU outside the
database in the speed issue's profile). A response sent in one message (every JSON answer) is
compressed here with a window no larger than its body and a smaller memory level: the same gzip
stream format, within a few bytes of the same size, at a fraction of the cost. Streamed responses
keep Starlette's compressor. What is compressed, and when, is unchanged.

The answers of the hot reads (up to ``FAST_LEVEL_UP_TO``) are compressed by ISA-L's igzip (the
``isal`` package), in one call: the same gzip format, as small as zlib's fast level made them or
smaller, in about half its time (a household card 9 µs instead of 15, a 50-row page 13 instead of 32).
"""

from __future__ import annotations

import zlib

from isal import isal_zlib
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GZIP_MINIMUM_SIZE", "SizedGZipMiddleware", "set_raw_header"]

# zlib's memLevel: 8 (its default) hashes with 64 KiB tables; 6 keeps 16 KiB, plenty for bodies of
# a few KiB, and compresses them to within a percent of the default.
_MEM_LEVEL = 6
_GZIP_WRAPPER = 16  # wbits + 16: a gzip header and trailer around the deflate stream


class _SizedGZipResponder(GZipResponder):
    def _compress_body(self, body: bytes, more_body: bool) -> bytes:
        if self._compressor is None and not more_body:
            if len(body) <= FAST_LEVEL_UP_TO:
                return fast_gzip(body)
            # the whole body at once: a window as large as the body finds every match there is
            wbits = min(zlib.MAX_WBITS, max(9, (len(body) - 1).bit_length()))
            self._compressor = zlib.compressobj(
                self.compresslevel, zlib.DEFLATED, _GZIP_WRAPPER + wbits, _MEM_LEVEL
            )
        return super()._compress_body(body, more_body)


def fast_gzip(body: bytes) -> bytes:
    """A read's answer as one gzip member, at ISA-L's level 1 (igzip)."""
    return isal_zlib.compress(body, FAST_LEVEL, _GZIP_WRAPPER + zlib.MAX_WBITS)


# The answer of a read (a card ~1 KiB, a 50-row list page ~13-18 KiB) at a fast level: with zlib's
# level 1, a 13 KiB page took 42 µs instead of 114 at 6, for 2,093 bytes instead of 1,895 (+10%); a
# card 14 µs instead of 18, 476 bytes instead of 468. ISA-L's level 1 (of 0-3) makes them as small as
# zlib's level 1 or smaller (a 1,070-byte card 595 bytes instead of 602, an 18 KiB page 2,010 instead
# of 2,012) in about half the time. Larger bodies (exports, feeds) keep zlib's level 6.
FAST_LEVEL = 1
FAST_LEVEL_UP_TO = 64 * 1024

# The smallest answer compressed. A smaller one goes out with its headers (~150-250 bytes, through
# the ingress and TLS) in one TCP segment even on a phone's link (an MSS of 1,360-1,460 bytes):
# compressed, it would be that one segment still, one round trip either way. Compressing a
# one-person household's card (~1,100 bytes to ~660) cost ~12 µs, a twentieth of its read's CPU.
# From 1,200 bytes on (a card of two people or more, a list page) answers are compressed.
GZIP_MINIMUM_SIZE = 1200

# zlib's own default level. Starlette's 9 spends its effort on lazy matches that JSON answers hardly
# gain from: a 50-row list page (18 KiB) took 1.5 ms at 9 and 0.4 ms at 6, to the same 1.6 KiB.
COMPRESS_LEVEL = 6


class SizedGZipMiddleware(GZipMiddleware):
    def __init__(self, app: ASGIApp, minimum_size: int = 500, compresslevel: int = COMPRESS_LEVEL) -> None:
        super().__init__(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept_encoding = Headers(scope=scope).get("Accept-Encoding", "")
        await self.app(scope, receive, self.responder(send, accept_encoding))

    def responder(self, send: Send, accept_encoding: str) -> Send:
        """The ``send`` of one request's app: its answer compressed on the way to ``send`` (or
        not, by the same rules); for a middleware that already read the request's headers."""
        if "gzip" in accept_encoding:
            return _OneMessageGzip(self, send)
        return self.starlette_responder(send, gzip=False)

    def starlette_responder(self, send: Send, *, gzip: bool) -> Send:
        """Starlette's responder (gzip or identity), sized as above."""
        responder: IdentityResponder
        # The excluded types are given as () and set after: the responder would normalise the list
        # again on every request (self.exclude_content_types was normalised once, in __init__).
        if gzip:
            responder = _SizedGZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=(),
            )
        else:
            responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=())
        responder.exclude_content_types = self.exclude_content_types
        responder.send = send  # what IdentityResponder.__call__ would set before calling the app
        return responder.send_with_compression


class _OneMessageGzip:
    """The gzip responder of one request for what a JSON answer is (a start, then its whole body
    in one message, up to ``FAST_LEVEL_UP_TO``): Starlette's responder's answer (its rules, its
    headers, in its order: tests/shared/test_request_layer.py holds the two side by side) without
    its objects (the responder, a Headers and three MutableHeaders a request). Any other answer
    (streamed, larger, excluded, already encoded, partial) goes to Starlette's responder."""

    __slots__ = ("middleware", "send", "start", "slow")

    def __init__(self, middleware: SizedGZipMiddleware, send: Send) -> None:
        self.middleware = middleware
        self.send = send
        self.start: Message | None = None
        self.slow: Send | None = None

    async def __call__(self, message: Message) -> None:
        if self.slow is None:
            start = self.start
            if start is None and message["type"] == "http.response.start":
                self.start = message  # held until the body says how to answer (as Starlette does)
                return
            if (
                start is not None
                and message["type"] == "http.response.body"
                and not message.get("more_body", False)
                and self._ours(start, len(message.get("body", b"")))
            ):
                await self._answer(start, message)
                self.slow = self.send  # anything after the answer (trailers) goes out as it is
                return
            self.slow = self.middleware.starlette_responder(self.send, gzip=True)
            if start is not None:
                await self.slow(start)
        await self.slow(message)

    def _ours(self, start: Message, size: int) -> bool:
        """A whole body of ``size`` this path answers: one under the minimum (sent as it is, whatever
        the headers say, as Starlette sends it), or one it compresses in one call."""
        return size < self.middleware.minimum_size or (size <= FAST_LEVEL_UP_TO and self._plain(start))

    def _plain(self, start: Message) -> bool:
        """Not already encoded, not partial, not of an excluded type (IdentityResponder's test)."""
        if start["status"] == 206:
            return False
        content_type: bytes | None = None
        for key, value in start.setdefault("headers", []):
            if key == b"content-encoding":
                return False
            if key == b"content-type" and content_type is None:
                content_type = value
        media_type = (content_type or b"").decode("latin-1").partition(";")[0].strip().lower()
        excluded = self.middleware.exclude_content_types
        if media_type.startswith("application/grpc+") and "application/grpc" in excluded:
            return False
        return media_type not in excluded and media_type.partition("/")[0] + "/*" not in excluded

    async def _answer(self, start: Message, message: Message) -> None:
        body = message.get("body", b"")
        start.setdefault("headers", [])
        if len(body) >= self.middleware.minimum_size:
            headers: list[tuple[bytes, bytes]] = start["headers"]
            # MutableHeaders.add_vary_header, then Content-Encoding, then Content-Length
            vary = [v for k, v in headers if k == b"vary"]
            set_raw_header(headers, b"vary", b", ".join([*vary, b"Accept-Encoding"]))
            message["body"] = compressed = fast_gzip(body)
            headers.append((b"content-encoding", b"gzip"))
            if start.get("trailers", False):
                headers[:] = [h for h in headers if h[0] != b"content-length"]
            else:
                set_raw_header(headers, b"content-length", str(len(compressed)).encode("latin-1"))
        await self.send(start)
        await self.send(message)


def set_raw_header(headers: list[tuple[bytes, bytes]], key: bytes, value: bytes) -> None:
    """MutableHeaders.__setitem__ on an ASGI message's list (``key`` lower case): the first such
    header replaced, any others removed, or appended; without the MutableHeaders object."""
    found = [i for i, (k, _) in enumerate(headers) if k == key]
    for i in reversed(found[1:]):
        del headers[i]
    if found:
        headers[found[0]] = (key, value)
    else:
        headers.append((key, value))
