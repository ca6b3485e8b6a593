"""The gate in front of every route: who is asking, and how much they may send, before a body is read.

An ASGI middleware, inside the request-id/metrics middleware and outside FastAPI's routing (held by
that layer itself, which hands it the headers it has read, unless CORS stands between the two):

1. It finds the operation the request is for (the same path templates and methods the routers
   declare). For an operation that needs a login (its dependencies include ``CurrentUser``), it
   verifies the bearer token and the roles its ``require_roles`` dependencies name — a caller
   without a valid token gets 401 and one without the role 403, **before a byte of the body is
   read**. The verified principal is kept for the route (the token is not verified twice).
2. It bounds the body: ``max_body_bytes`` (1 MiB by default) for every operation, and
   ``max_upload_bytes`` for the few marked ``openapi_extra=LARGE_BODY`` (bulk imports and file
   uploads). A client that stops sending in the middle of a body for ``BODY_IDLE_TIMEOUT_S`` is
   answered 408 and the connection closed (a slow phone that keeps sending is never cut off). A
   declared ``Content-Length`` over the limit is answered 413 at once; a chunked body is
   counted as it arrives and cut off at the limit. Nothing larger than the limit is ever held, and
   an upload or import beyond ``SPOOL_BYTES`` (1 MiB) is spooled to a temporary file as it arrives
   and handed to the route in 64 KiB chunks, not held in memory by the gate.
3. A body sent with ``Content-Encoding: gzip`` (a phone on a weak signal compresses its offline
   batch) is inflated here, bounded by the same limit *after* inflating (a small bomb is 413, a
   broken stream 422), and handed on plain; any other content coding is 415.
4. A JSON body nested deeper than ``MAX_JSON_DEPTH`` or carrying an integer beyond 64 bits is
   refused with 422 and a message that says so (Python's parser would otherwise fail with a
   RecursionError or a digit-limit ValueError that reads like bad UTF-8).

Every refusal is a problem+json rendered by the app's own DomainError handler.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import caller_of, current_user_dependency, role_refusal
from shared.errors import DomainError, InvalidInput

__all__ = [
    "BODY_HEADERS",
    "LARGE_BODY",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT",
    "SPOOL_BYTES",
    "BodyGuardMiddleware",
    "document_json_limits",
    "BODY_IDLE_TIMEOUT_S",
    "BodyTimedOut",
    "BodyTooLarge",
    "UnsupportedContentEncoding",
    "GuardedRoute",
    "guarded_routes",
]

# ``@router.post(..., openapi_extra=LARGE_BODY)``: this operation takes up to max_upload_bytes.
LARGE_BODY: dict[str, Any] = {"x-body-limit": "upload"}
MAX_JSON_DEPTH = 64
# A body that stops arriving for this long (no byte between two chunks) is 408, not a held request.
BODY_IDLE_TIMEOUT_S = 60.0
# An upload or import beyond this goes to a temporary file as it arrives, not into memory.
SPOOL_BYTES = 1024 * 1024
REPLAY_CHUNK_BYTES = 64 * 1024
MAX_JSON_INT = 2**63 - 1
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A request announces a body with one of these (ASGI servers give header names in lower case).
BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


class BodyTooLarge(DomainError):
    status = 413
    type_slug = "body-too-large"
    title_zh = "提交的内容过大"
    hint_zh = "请拆分后分批提交（如按乡镇）"
    hint_en = "Split the upload (e.g. by township)"
    title = "Request body too large"


class BodyTimedOut(DomainError):
    status = 408
    type_slug = "body-timed-out"
    title = "The request body stopped arriving"
    title_zh = "提交的内容接收超时"
    hint_zh = "网络中断，提交未完成、未保存；请在信号好时用同一个 Idempotency-Key 重新提交"
    hint_en = "Nothing was stored; send again (with the same Idempotency-Key) when the connection is better"


class UnsupportedContentEncoding(DomainError):
    status = 415
    type_slug = "unsupported-content-encoding"
    title = "This content coding is not accepted"
    title_zh = "不支持这种压缩方式"
    hint_zh = "请用 gzip 压缩（Content-Encoding: gzip）或不压缩提交"
    hint_en = "Send the body gzip-compressed (Content-Encoding: gzip) or uncompressed"


class _IntegerTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class GuardedRoute:
    """What the gate knows of one operation."""

    path: str
    methods: frozenset[str]
    regex: re.Pattern[str]
    needs_login: bool
    role_sets: tuple[frozenset[str], ...]  # each must intersect the caller's roles (admin always does)
    large_body: bool


def _walk(dependant: Dependant) -> Iterable[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _walk(sub)


def guarded_routes(routers: Sequence[APIRouter], prefix: str) -> list[GuardedRoute]:
    routes: list[GuardedRoute] = []
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            calls = list(_walk(route.dependant))
            regex, _, _ = compile_path(prefix + route.path)
            routes.append(
                GuardedRoute(
                    path=prefix + route.path,
                    methods=frozenset(route.methods or ()),
                    regex=regex,
                    needs_login=current_user_dependency in calls,
                    role_sets=tuple(
                        frozenset(roles) for c in calls if (roles := getattr(c, "allowed_roles", None))
                    ),
                    large_body=(route.openapi_extra or {}).get("x-body-limit") == LARGE_BODY["x-body-limit"],
                )
            )
    return routes


def _match(routes: Sequence[GuardedRoute], method: str, path: str) -> GuardedRoute | None:
    for route in routes:  # declaration order, as the router matches
        if method in route.methods and route.regex.match(path):
            return route
    return None


def _resource(path: str) -> str:
    """The path up to its fourth ``/`` (``/registry/v1/households``): what tells routes apart first."""
    return "/".join(path.split("/", 4)[:4])


class _RouteIndex:
    """:func:`_match` without trying every operation's pattern on every request: the candidates of
    a method and a resource (``/<svc>/v1/<resource>``), in declaration order, with the operations
    whose resource is a path parameter kept among them. Same answer as the plain scan."""

    def __init__(self, routes: Sequence[GuardedRoute]) -> None:
        self.by_key: dict[tuple[str, str], list[GuardedRoute]] = {}
        self.open: dict[str, list[GuardedRoute]] = {}  # per method: resource is a parameter
        literal = {_resource(r.path) for r in routes if "{" not in _resource(r.path)}
        methods = {m for r in routes for m in r.methods}
        for method in methods:
            own = [r for r in routes if method in r.methods]
            self.open[method] = [r for r in own if "{" in _resource(r.path)]
            for key in literal:
                self.by_key[(method, key)] = [
                    r for r in own if "{" in _resource(r.path) or _resource(r.path) == key
                ]

    def match(self, method: str, path: str) -> GuardedRoute | None:
        candidates = self.by_key.get((method, _resource(path)))
        if candidates is None:
            candidates = self.open.get(method, [])
        return _match(candidates, method, path)


def _parse_int(text: str) -> int:
    # A number with more digits than any 64-bit integer is refused before Python converts it.
    if len(text.lstrip("-")) > 19 or abs(value := int(text)) > MAX_JSON_INT:
        raise _IntegerTooLarge(text[:30])
    return value


def _too_deep(document: Any) -> bool:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


JSON_VALUE = "BoundedJsonValue"
NO_NUL_PATTERN = r"^[^\x00]*$"  # a free text: anything but U+0000


def document_json_limits(schema: dict[str, Any]) -> None:
    """Say in the OpenAPI document what ``_json_problem`` refuses in every body: no integer beyond
    ±MAX_JSON_INT, wherever it is — in a member the schema names (an integer without bounds gets
    them) or in one it does not (unknown members are ignored, but read: their values are
    ``BoundedJsonValue``, any JSON value within those limits). Objects that refuse unknown members
    already say ``additionalProperties: false``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    ref = {"$ref": f"#/components/schemas/{JSON_VALUE}"}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        if node.get("type") == "integer":
            node.setdefault("maximum", MAX_JSON_INT)
            node.setdefault("minimum", -MAX_JSON_INT)
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NO_NUL_PATTERN
        if "patternProperties" in node and "properties" not in node:
            # pydantic's dict with a key pattern: a member name off the pattern is refused
            node.setdefault("additionalProperties", False)
        if node.get("type") == "object" and node.get("additionalProperties", True) is True:
            node["additionalProperties"] = ref
            node.setdefault("propertyNames", {"pattern": NO_NUL_PATTERN})
        for key, child in node.items():
            if key in ("properties", "patternProperties", "$defs") and isinstance(child, dict):
                walk(list(child.values()))  # a mapping of names to schemas, not a schema
            elif key not in ("enum", "const", "examples", "example", "default"):
                walk(child)

    for name, component in components.items():
        if name != JSON_VALUE:
            walk(component)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                walk(operation["requestBody"])
    components[JSON_VALUE] = {
        "description": f"Any JSON value whose integers lie within ±{MAX_JSON_INT} (the body guard "
        f"refuses larger ones, and nesting deeper than {MAX_JSON_DEPTH} levels)",
        # not recursive (a generated client cannot type a self-referencing alias); nested values are
        # bounded by the same guard, which the description states
        "anyOf": [
            {"not": {"type": "integer"}},
            {"type": "integer", "minimum": -MAX_JSON_INT, "maximum": MAX_JSON_INT},
        ],
    }


# What the checks below look at, found in the raw bytes of a UTF-8 document without parsing it:
# the escape of U+0000 (the only way a NUL reaches a parsed text: the parser refuses a raw one), a
# run of 19 digits (the shortest integer that may exceed MAX_JSON_INT), the brackets outside texts.
_NUL_ESCAPE = b"\\u0000"
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
# braces counted as brackets: a body whose closing ones do not match is no JSON (the parser refuses
# it, at a depth the count below bounds), so only how deep they go matters
_BRACES_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")


def _plainly_fine(body: bytes) -> bool:
    """True when no check of :func:`_json_problem` can refuse ``body``, seen without parsing it:
    UTF-8, no ``\\u0000``, no run of 19 digits, and brackets outside texts that close within
    MAX_JSON_DEPTH levels. False says only "parse and look" (a 19-digit number in a text, a
    malformed body). A bulk import's megabytes cost ~1 µs a household here, ~20 parsed and walked:
    a few passes of C over the bytes, the texts cut out one by one only when one holds a bracket."""
    if json.detect_encoding(body) != "utf-8":
        return False
    if _NINETEEN_DIGITS in body.translate(_DIGITS_AS_ZERO):
        return False
    if b"\\" in body:  # an escape: it may be a \\u0000 or a quote inside a text
        if _NUL_ESCAPE in body:
            return False
        # escaped backslashes, then escaped quotes, out (pairs from the left, as the parser reads a
        # run of backslashes): every quote left opens or closes a text
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = body.translate(_BRACES_AS_BRACKETS, _NOT_STRUCTURE)
    # texts out: when no text holds a bracket or a quote each is a pair of adjacent quotes, taken
    # from the left as the parser pairs them; else every quote opens or closes one, and what lies
    # between goes
    brackets = structure.replace(b'""', b"")
    if b'"' in brackets:
        texts = structure.split(b'"')
        if len(texts) % 2 == 0:
            return False  # a text left open: not JSON (the parser below says what it is)
        brackets = b"".join(texts[::2])
    for _ in range(MAX_JSON_DEPTH):  # each pass closes the innermost level
        if not brackets:
            return True
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return False  # unbalanced: not JSON
        brackets = shorter
    return not brackets


def _json_problem(body: bytes) -> DomainError | None:
    """A reason to refuse this JSON document, or None (also when it is no JSON at all: FastAPI says so)."""
    if _plainly_fine(body):
        return None
    try:
        document = json.loads(body, parse_int=_parse_int)
    except _IntegerTooLarge as exc:
        return _invalid_json(
            f"A number in the body is too large: integers must lie within ±{MAX_JSON_INT:,} "
            f"(got {exc.args[0]}…)",
            "integer out of range",
            f"请求内容中的数字过大：整数须在±{MAX_JSON_INT:,}以内（收到的是{exc.args[0]}…），请核对金额或数量",
        )
    except RecursionError:
        return _too_deep_error()
    except ValueError:  # not JSON, or not UTF-8: FastAPI answers it with its own 422
        return None
    if _too_deep(document):
        return _too_deep_error()
    return (
        _TextNotStorable(
            "A text value contains a NUL character (\\u0000); remove it and send again",
            detail_zh="文字中含有无法保存的字符。删去文字中的空字符（\\u0000）后重新提交",
        )
        if _holds_nul(document)
        else None
    )


def _holds_nul(document: Any) -> bool:
    """A U+0000 in any text of the body (member names included): PostgreSQL stores no NUL, and the
    document says so (``pattern`` of every free text), for texts kept or not."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


class _TextNotStorable(InvalidInput):
    type_slug = "text-not-storable"
    title = "Text that cannot be stored"
    title_zh = "文字中含有无法保存的字符"
    hint_zh = "删去文字中的空字符（\\u0000）或乱码后重新提交"
    hint_en = "Remove NUL characters or bytes that are not text and send again"


def _too_deep_error() -> DomainError:
    return _invalid_json(
        f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; no request needs that",
        f"nested deeper than {MAX_JSON_DEPTH} levels",
        f"请求内容嵌套超过{MAX_JSON_DEPTH}层，任何办理事项都不需要这么多层，请检查提交的内容",
    )


class _MalformedJson(InvalidInput):
    type_slug = "validation-error"
    title = "The request is malformed"
    title_zh = "提交的内容有误"  # as FastAPI's own validation errors are told (same problem type)


def _invalid_json(detail: str, message: str, detail_zh: str) -> DomainError:
    return _MalformedJson(detail, detail_zh=detail_zh, errors=[{"field": "body", "message": message}])


def _read_back(spooled: BinaryIO) -> bytes:
    """A spooled JSON body, read back once for the checks (the app parses it right after anyway)."""
    data = spooled.read()
    spooled.seek(0)
    return data


def _replay(body: bytes | BinaryIO, receive: Receive) -> Receive:
    """The app's ``receive``: the body read here (a spooled one in chunks), then the client's own."""
    if isinstance(body, bytes):
        chunks: Iterator[bytes] = iter([body])
        end = len(body)
    else:
        end = body.seek(0, io.SEEK_END)
        body.seek(0)
        chunks = iter(lambda: body.read(REPLAY_CHUNK_BYTES), b"")
    sent = 0
    done = False

    async def replay() -> Message:
        nonlocal sent, done
        if done:
            return await receive()
        chunk = next(chunks, b"")
        sent += len(chunk)
        done = sent >= end
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replay


def _plain(scope: Scope, body: bytes | BinaryIO) -> Scope:
    """The request as the app sees it once inflated: no Content-Encoding, the plain length."""
    length = len(body) if isinstance(body, bytes) else body.seek(0, io.SEEK_END)
    if not isinstance(body, bytes):
        body.seek(0)
    headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("", "application/json") or (media.startswith("application/") and media.endswith("+json"))


class BodyGuardMiddleware:
    def __init__(
        self, app: ASGIApp, *, routes: list[GuardedRoute], max_body_bytes: int, max_upload_bytes: int
    ) -> None:
        self.app = app
        self.routes = routes
        self.index = _RouteIndex(routes)
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorization: str | None = None
        announced = False
        for key, value in scope["headers"]:
            if key == b"authorization":
                if authorization is None:  # the first, as Headers.get
                    authorization = value.decode("latin-1")
            elif key in BODY_HEADERS:
                announced = True
        await self.enter(scope, receive, send, authorization=authorization, announced=announced)

    async def enter(
        self, scope: Scope, receive: Receive, send: Send, *, authorization: str | None, announced: bool
    ) -> None:
        """The gate for an HTTP request whose headers a layer outside has read already: its (first)
        Authorization header, and whether it ``announced`` a body (Content-Length or
        Transfer-Encoding). shared/observability.py's request layer calls it itself when nothing
        stands between the two (no CORS layer)."""
        route = self.index.match(scope["method"], scope["path"])
        if not announced:
            # No body announced (every GET and HEAD a client sends): the caller is checked, and
            # there is nothing to read or bound (what _read_body would find: None).
            try:
                await self._check(scope, route, authorization)
            except DomainError as exc:
                await self._refuse(scope, receive, send, exc)
                return
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        body: bytes | BinaryIO | None = None
        try:
            try:
                await self._check(scope, route, authorization)
                large = route is not None and route.large_body
                limit = self.max_upload_bytes if large else self.max_body_bytes
                body = await self._read_body(request, receive, limit, spool=large)
                encoding = request.headers.get("content-encoding", "").strip().lower()
                if body is not None and encoding not in ("", "identity"):
                    body = self._inflated(body, encoding, limit)
                    scope = _plain(scope, body)
                if body is not None and _is_json(request.headers.get("content-type", "")):
                    problem = _json_problem(body if isinstance(body, bytes) else _read_back(body))
                    if problem is not None:
                        raise problem
            except DomainError as exc:
                await self._refuse(scope, receive, send, exc)
                return
            if body is None:
                await self.app(scope, receive, send)
                return
            await self.app(scope, _replay(body, receive), send)
        finally:
            if body is not None and not isinstance(body, bytes):
                body.close()  # a spooled body's temporary file goes with it

    @staticmethod
    async def _check(scope: Scope, route: GuardedRoute | None, authorization: str | None) -> None:
        """401 without a valid token, 403 without a role the operation names (admin has them all)."""
        if route is not None and route.needs_login:
            principal = await caller_of(scope, authorization)
            for roles in route.role_sets:
                if not principal.roles & (roles | {"admin"}):
                    raise role_refusal(roles)

    async def _read_body(
        self, request: Request, receive: Receive, limit: int, *, spool: bool = False
    ) -> bytes | BinaryIO | None:
        """The whole body (at most ``limit`` bytes), or None when the request announces none.

        With ``spool`` (uploads and imports) a body beyond ``SPOOL_BYTES`` goes to a temporary
        file as it arrives instead of being held in memory (the file is returned, rewound)."""
        declared = request.headers.get("content-length")
        chunked = "transfer-encoding" in request.headers
        if declared is None and not chunked:
            return None
        if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise self._too_large(limit)
        chunks: list[bytes] = []
        spooled: BinaryIO | None = None
        size = 0
        try:
            while True:
                try:
                    message = await asyncio.wait_for(receive(), BODY_IDLE_TIMEOUT_S)
                except TimeoutError:
                    raise BodyTimedOut(
                        f"No part of the body arrived for {BODY_IDLE_TIMEOUT_S:g} s after {size:,} bytes; "
                        "nothing was stored",
                        detail_zh=f"已收到{size:,}字节后{BODY_IDLE_TIMEOUT_S:g}秒没有收到后续内容，未保存任何内容；"
                        "请在信号好时用同一个 Idempotency-Key 重新提交",
                    ) from None
                if message["type"] != "http.request":
                    break  # the client went away; the app sees an empty body and the disconnect
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise self._too_large(limit)
                if spooled is None and spool and size > SPOOL_BYTES:
                    spooled = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))  # noqa: SIM115
                    spooled.writelines(chunks)
                    chunks = []
                if spooled is not None:
                    spooled.write(chunk)
                else:
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        except BaseException:
            if spooled is not None:
                spooled.close()
            raise
        if spooled is None:
            return b"".join(chunks)
        spooled.seek(0)
        return spooled

    def _inflated(self, body: bytes | BinaryIO, encoding: str, limit: int) -> bytes | BinaryIO:
        """The gzip body inflated, at most ``limit`` bytes of it (held as the compressed one was)."""
        if encoding not in ("gzip", "x-gzip"):
            raise UnsupportedContentEncoding(
                f"Content-Encoding {encoding!r} is not accepted; send gzip or no compression",
                detail_zh=f"不支持 Content-Encoding: {encoding}，请用 gzip 压缩或不压缩提交",
            )
        source = io.BytesIO(body) if isinstance(body, bytes) else body
        out = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))  # noqa: SIM115
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        size = 0
        try:
            while chunk := source.read(REPLAY_CHUNK_BYTES):
                while chunk and not inflater.eof:
                    piece = inflater.decompress(chunk, REPLAY_CHUNK_BYTES)
                    size += len(piece)
                    if size > limit:
                        raise self._too_large(limit)
                    out.write(piece)
                    chunk = inflater.unconsumed_tail
            if not inflater.eof:
                raise zlib.error("the gzip stream ends early")
        except zlib.error as exc:
            out.close()
            raise InvalidInput(
                f"The body is not a complete gzip stream ({exc})",
                detail_zh="提交的内容声明为 gzip 压缩，但无法解压（不完整或不是 gzip）",
            ) from exc
        except BaseException:
            out.close()
            raise
        finally:
            if not isinstance(body, bytes):
                body.close()
        out.seek(0)
        if isinstance(body, bytes):
            with out:
                return out.read()
        return out

    @staticmethod
    def _too_large(limit: int) -> BodyTooLarge:
        return BodyTooLarge(
            f"The body is larger than this operation takes ({limit:,} bytes); "
            "send less at a time (split an import by township)",
            max_bytes=limit,
        )

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: DomainError) -> None:
        app = scope["app"]
        handler = app.exception_handlers[DomainError]
        response = await handler(Request(scope, receive), exc)
        if isinstance(exc, BodyTooLarge | BodyTimedOut):
            response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)
