"""Gzip for responses, sized to the body: Starlette's GZipMiddleware with a cheaper compressor.

Starlette opens every compressor with zlib's largest window and memory level (about 256 KiB of
state, allocated and cleared per response), which cost more than compressing a 2-10 KiB JSON
answer itself (a household card, a roll-up, a list page: the third of their CPU outside the
database in the speed issue's profile). A response sent in one message (every JSON answer) is
compressed here with a window no larger than its body and a smaller memory level: the same gzip
stream format, within a few bytes of the same size, at a fraction of the cost. Streamed responses
keep Starlette's compressor. What is compressed, and when, is unchanged.
"""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["SizedGZipMiddleware"]

# zlib's memLevel: 8 (its default) hashes with 64 KiB tables; 6 keeps 16 KiB, plenty for bodies of
# a few KiB, and compresses them to within a percent of the default.
_MEM_LEVEL = 6
_GZIP_WRAPPER = 16  # wbits + 16: a gzip header and trailer around the deflate stream


class _SizedGZipResponder(GZipResponder):
    def _compress_body(self, body: bytes, more_body: bool) -> bytes:
        if self._compressor is None and not more_body:
            # the whole body at once: a window as large as the body finds every match there is
            wbits = min(zlib.MAX_WBITS, max(9, (len(body) - 1).bit_length()))
            level = self.compresslevel if len(body) > FAST_LEVEL_UP_TO else FAST_LEVEL
            self._compressor = zlib.compressobj(level, zlib.DEFLATED, _GZIP_WRAPPER + wbits, _MEM_LEVEL)
        return super()._compress_body(body, more_body)


# The answer of a read (a card ~1 KiB, a 50-row list page ~13-18 KiB) at level 1: a 13 KiB page took
# 42 µs instead of 114 at 6, for 2,093 bytes instead of 1,895 (+10%); a card 14 µs instead of 18,
# 476 bytes instead of 468. Larger bodies (exports, feeds) keep level 6.
FAST_LEVEL = 1
FAST_LEVEL_UP_TO = 64 * 1024

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
        responder: IdentityResponder
        # The excluded types are given as () and set after: the responder would normalise the list
        # again on every request (self.exclude_content_types was normalised once, in __init__).
        if "gzip" in accept_encoding:
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
