"""One domain error tree, rendered in one place as RFC 9457 ``application/problem+json``.

Services raise subclasses (``HouseholdNotFound``), never ``HTTPException``.
"""

from __future__ import annotations

import socket
from typing import Any, ClassVar, Self

import structlog
from asyncpg.exceptions import PostgresError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from shared.labels import COMMON, FieldLabels, describe_errors
from shared.problems import Language, negotiate_language, platform_problem

__all__ = [
    "PROBLEM_BASE",
    "AreaNotFound",
    "AreaOutsideScope",
    "Conflict",
    "DomainError",
    "Forbidden",
    "HouseholdNotFound",
    "InvalidInput",
    "NotFound",
    "ObjectionNotFound",
    "PreconditionFailed",
    "PROBLEM_RESPONSES",
    "PreconditionRequired",
    "allowed_methods",
    "Problem",
    "Unauthorized",
    "database_unavailable",
    "install_error_handlers",
    "problem_response",
    "render_unhandled",
    "request_language",
]

PROBLEM_BASE = "https://jingzhun.example/problems/"
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})
log = structlog.get_logger(__name__)


class DomainError(Exception):
    """``title`` is English; ``title_zh`` the Chinese title, ``hint_zh``/``hint_en`` what the clerk
    should do (shared/problems.py: the catalogue, docs/PROBLEMS.md). A raise site gives its English
    ``detail`` and, where it can, ``detail_zh``; without one the Chinese answer says the Chinese
    title and hint. A class without ``title_zh`` renders its parent's Chinese title."""

    status: ClassVar[int] = 400
    type_slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"
    title_zh: ClassVar[str] = "请求有误"
    hint_zh: ClassVar[str | None] = None
    hint_en: ClassVar[str | None] = None

    def __init__(self, detail: str, *, detail_zh: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_zh = detail_zh
        self.extensions = extensions

    def response_headers(self) -> dict[str, str]:
        """HTTP headers the problem is sent with (e.g. ``Retry-After`` on a 429)."""
        return {}

    def told_in(self, language: Language) -> tuple[str, str]:
        """(title, detail) in the language the client asked for."""
        if language == "en":
            return self.title, self.detail
        if self.detail_zh:
            return self.title_zh, self.detail_zh
        own = type(self).__dict__
        if "title_zh" not in own:  # untranslated: a generic Chinese title, the English specifics
            return self.title_zh, self.detail
        return self.title_zh, "。".join(t for t in (self.title_zh, self.hint_zh) if t)

    def extensions_in(self, language: Language) -> dict[str, Any]:
        """The extension members as the client reads them (a subclass may word some in ``language``)."""
        return self.extensions


class NotFound(DomainError):
    """``thing`` names what was looked for: (English noun, Chinese noun, the id's extension key),
    e.g. ``("Helper", "帮扶责任人", "helper_id")``, for :meth:`in_your_area`."""

    status = 404
    type_slug = "not-found"
    title = "Not found"
    title_zh = "未找到"
    hint_zh = "检查编号是否正确，且在您的辖区内"
    thing: ClassVar[tuple[str, str, str]] = ("Record", "记录", "id")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass that names its ``thing`` gets its titles and hints from it unless it words
        them itself: ("Helper", "帮扶责任人", ...) → "Helper not found", "未找到该帮扶责任人",
        "检查帮扶责任人编号", "Check the helper id"."""
        super().__init_subclass__(**kwargs)
        if "thing" not in cls.__dict__:
            return
        noun, noun_zh, _ = cls.thing
        derived = {
            "title": f"{noun[:1].upper()}{noun[1:]} not found",
            "title_zh": f"未找到该{noun_zh}",
            "hint_zh": f"检查{noun_zh}编号",
            "hint_en": f"Check the {noun.lower()} id",
        }
        for name, text in derived.items():
            if name not in cls.__dict__:
                setattr(cls, name, text)

    @classmethod
    def in_your_area(cls, ident: object) -> Self:
        """The id is unknown, or names a record outside the caller's area (the two look alike)."""
        noun, noun_zh, key = cls.thing
        return cls(
            f"{noun} {ident} does not exist in your area",
            detail_zh=f"您的辖区内没有{noun_zh} {ident}",
            **{key: str(ident)},
        )


class AreaNotFound(NotFound):
    """An area code that is not in the area tree (the registry's areas, projected in every service)."""

    type_slug = "area-not-found"
    title = "Area not found"
    title_zh = "未找到该地区"
    hint_zh = "检查地区代码，或先导入行政区划"
    hint_en = "Check the area code, or load the area tree"


class AreaOutsideScope(NotFound):
    """An area outside the caller's own is not found (404), as in every service (shared.auth's area
    scope): whether it exists there is not the caller's to learn, and the request is well formed."""

    type_slug = "area-not-found"
    title = "Area not found"
    title_zh = "未找到该地区"
    hint_zh = "检查地区代码，且在您的辖区内"
    hint_en = "Check the area code is inside your area"


class HouseholdNotFound(NotFound):
    """A household the caller cannot see: unknown, or outside the caller's area. Households are the
    registry's; pairing keeps them as a projection and answers with the same problem type."""

    type_slug = "household-not-found"
    hint_zh = "检查户编号，且该户在您的辖区内"
    hint_en = "Check the household id is inside your area"
    thing = ("Household", "户", "household_id")


class ObjectionNotFound(NotFound):
    """An objection raised during a public notice (the registry's identification and exit notices,
    funds' disclosure notices): one problem type in both."""

    type_slug = "objection-not-found"
    title = "Objection not found"
    title_zh = "未找到该异议"
    hint_zh = "检查异议编号"
    hint_en = "Check the objection id"


class Conflict(DomainError):
    status = 409
    type_slug = "conflict"
    title = "Conflict with the current state"
    title_zh = "与当前状态冲突"
    hint_zh = "先查看这条记录的当前状态，再决定下一步"


class Forbidden(DomainError):
    status = 403
    type_slug = "forbidden"
    title = "Not allowed for your role"
    title_zh = "您的角色无权办理此事"
    hint_zh = "请有权限的人员办理，或联系管理员调整角色"


class Unauthorized(DomainError):
    status = 401
    type_slug = "unauthorized"
    title = "Authentication required"
    title_zh = "需要登录"
    hint_zh = "请重新登录后再试"


class InvalidInput(DomainError):
    status = 422
    type_slug = "invalid-input"
    title = "Invalid input"
    title_zh = "填写的内容有误"
    hint_zh = "按说明改正后重新提交"


class PreconditionFailed(DomainError):
    status = 412
    type_slug = "precondition-failed"
    title = "The resource changed since you read it"
    title_zh = "记录在您查看后已被修改"
    hint_zh = "重新打开这条记录，核对后再提交"


class PreconditionRequired(DomainError):
    status = 428
    type_slug = "precondition-required"
    title = "If-Match header required"
    title_zh = "缺少 If-Match 请求头"
    hint_zh = "先读取记录，把它的 ETag 放进 If-Match 请求头再提交"

    @classmethod
    def created_meanwhile(cls, did: str, did_zh: str, **key: object) -> Self:
        """A create-or-replace PUT sent without If-Match found no record, but a concurrent request
        created it before this one's insert: this is now a change, which needs the record's ETag.
        ``did`` says what the other request did ("set this target", "设置了该目标")."""
        return cls(
            f"Someone {did} a moment ago; read it and send its ETag in If-Match",
            detail_zh=f"刚有人{did_zh}，请重新读取并在 If-Match 中带上其 ETag",
            **key,
        )


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of every service is rendered."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": description}
    for code, description in (
        (401, "No valid access token"),
        (403, "Your role may not do this"),
        (404, "Not found in your area"),
        (409, "Refused by the current state or a rule"),
        (422, "Malformed request or invalid value"),
    )
}
# Added to the documented responses of routes that take an If-Match header (shared.http).
CONDITIONAL_RESPONSES: dict[int | str, dict[str, Any]] = {
    412: {"model": Problem, "description": "The record changed since you read it (stale If-Match)"},
    428: {"model": Problem, "description": "If-Match header required"},
}


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
    language: Language = "en",
    detail_zh: str | None = None,
) -> JSONResponse:
    """``title``/``detail`` are English; in Chinese a catalogued platform problem (shared/problems.py)
    is told with its Chinese title, and ``detail_zh`` or the catalogue's hint as detail."""
    if language == "zh":
        title, detail = _platform_in_chinese(type_slug, title, detail, detail_zh)
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    # Extension members never overwrite the standard ones (RFC 9457 §3.2): a clash is kept
    # under a prefixed name instead of silently changing "status" or "type".
    for key, value in (extensions or {}).items():
        body[f"ext_{key}" if key in _STANDARD_MEMBERS else key] = value
    # The words depend on Accept-Language: a cache must not hand a Chinese answer to an English client.
    headers = {**(headers or {}), "Vary": "Accept-Language"}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _platform_in_chinese(slug: str, title: str, detail: str, detail_zh: str | None) -> tuple[str, str]:
    known = platform_problem(slug)
    if known is None or not known.title_zh:
        return title, detail_zh or detail
    return known.title_zh, detail_zh or "。".join(t for t in (known.title_zh, known.hint_zh) if t)


def request_language(request: Request) -> Language:
    """Chinese by default; English when the client asks with ``Accept-Language: en``."""
    return negotiate_language(request.headers.get("accept-language"))


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = exc.response_headers() | ({"WWW-Authenticate": "Bearer"} if exc.status == 401 else {})
    title, detail = exc.told_in(request_language(request))
    return problem_response(
        exc.status,
        title,
        detail,
        type_slug=exc.type_slug,
        instance=request.url.path,
        headers=headers or None,
        extensions=_json_safe(exc.extensions_in(request_language(request))),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    language = request_language(request)
    labels: FieldLabels = getattr(request.app.state, "field_labels", COMMON)
    errors = describe_errors(exc.errors(), labels, language, body=exc.body)
    if language == "zh":
        title = "提交的内容有误"
        detail = "请改正后重新提交：" + "；".join(e["message"] for e in errors[:5])
    else:
        title = "The request is malformed"
        detail = "Fix these fields and send again: " + "; ".join(
            f"{e['field']}: {e['message']}" for e in errors[:5]
        )
    return problem_response(
        422,
        title,
        detail,
        type_slug="validation-error",
        instance=request.url.path,
        extensions={"errors": errors},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    language = request_language(request)
    if exc.status_code == 400 and request.method in ("POST", "PUT", "PATCH"):
        # FastAPI's "error parsing the body" (bytes that are not UTF-8 text): a malformed payload.
        zh = "请求内容无法读取：请以UTF-8编码的JSON提交"
        return problem_response(
            422,
            "The request is malformed",
            "The body could not be read: send JSON encoded as UTF-8",
            type_slug="validation-error",
            instance=request.url.path,
            extensions={
                "errors": [
                    {
                        "field": "body",
                        "label": "请求内容",
                        "message": zh if language == "zh" else "not UTF-8 JSON text",
                    }
                ]
            },
            language=language,
            detail_zh=zh,
        )
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        # Starlette names the methods of the first route whose path matched; the resource has them all.
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(
        exc.status_code,
        str(exc.detail),
        str(exc.detail),
        type_slug=slug,
        instance=request.url.path,
        headers=headers or None,
        language=language,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this request's path (RFC 9110 §15.5.6 ``Allow``)."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


# PostgreSQL SQLSTATE classes a client can cause with a value the schema let through.
_TEXT_NOT_STORABLE = {"22021", "22P05"}  # NUL character / not valid text in this encoding


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Values the database refuses become a clear 4xx; the transaction was rolled back, nothing saved.
    The same for asyncpg's own errors (a COPY runs on the driver's connection, outside SQLAlchemy)."""
    assert isinstance(exc, DBAPIError | PostgresError)
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = str(getattr(orig, "sqlstate", None) or "")
    cause = getattr(orig, "__cause__", None)
    if code in _TEXT_NOT_STORABLE:
        status, slug, title, detail = (
            422,
            "text-not-storable",
            "Text that cannot be stored",
            "A text value contains a NUL character (\\u0000) or bytes that are not text; "
            "remove them and send again",
        )
    elif code.startswith("22") or (cause is not None and type(cause).__name__ == "DataError"):
        status, slug, title, detail = (
            422,
            "value-out-of-range",
            "A value cannot be stored",
            "A number, date or text is out of the range this field holds (numbers up to 2,147,483,647); "
            "check what you sent",
        )
    elif code.startswith("23"):
        status, slug, title, detail = (
            409,
            "conflicts-with-recorded-data",
            "Conflict with recorded data",
            "This would duplicate or break a link to data already recorded; nothing was saved",
        )
    elif code in ("40001", "40P01"):
        status, slug, title, detail = (
            503,
            "try-again",
            "Busy, try again",
            "Another change touched the same records at the same moment; nothing was saved, send it again",
        )
    else:
        return await _unexpected(request, exc)
    log.warning("database_refused_value", path=request.url.path, sqlstate=code, error=str(orig)[:200])
    # Nothing was saved; a 503 says when to send it again (RFC 9110 §10.2.3).
    headers = {"Retry-After": "1"} if status == 503 else None
    return problem_response(
        status,
        title,
        detail,
        type_slug=slug,
        instance=request.url.path,
        headers=headers,
        language=request_language(request),
    )


# SQLSTATEs of a server that is unreachable, shutting down, starting up or full: nothing the
# request did is to blame, and the same request may succeed a few seconds later.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300", "53400"}
_UNAVAILABLE_RETRY_AFTER_S = 5


def database_unavailable(exc: BaseException) -> bool:
    """True for a failure to reach PostgreSQL (refused, reset, shutting down, pool timeout)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # Refused/reset connections, unresolvable hosts, connect timeouts, a full pool; a bare
        # OSError is asyncpg's "Multiple exceptions: Connect call failed" (never a file error).
        if isinstance(current, PoolTimeoutError | ConnectionError | TimeoutError | socket.gaierror) or (
            type(current) is OSError
        ):
            return True
        code = str(getattr(current, "sqlstate", None) or "")
        if code.startswith("08") or code in _UNAVAILABLE_SQLSTATES:
            return True
        module = type(current).__module__
        if module.startswith("asyncpg") and type(current).__name__ in (
            "ConnectionDoesNotExistError",
            "ConnectionFailureError",
            "CannotConnectNowError",
            "InterfaceError",  # "connection is closed"
        ):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def _unavailable(request: Request, exc: BaseException) -> JSONResponse:
    log.error("database_unavailable", path=request.url.path, error=repr(exc)[:300])
    return problem_response(
        503,
        "Database unavailable, try again",
        "The database cannot be reached right now. If the connection dropped while saving, the change "
        "may or may not have been saved: send the same request again in a few seconds with the same "
        "Idempotency-Key (if it was saved, the saved answer comes back; if not, it is saved then). "
        "Without an Idempotency-Key, check whether it was saved before entering it again.",
        type_slug="database-unavailable",
        instance=request.url.path,
        headers={"Retry-After": str(_UNAVAILABLE_RETRY_AFTER_S)},
        language=request_language(request),
    )


async def render_unhandled(request: Request, exc: BaseException) -> JSONResponse:
    """What an exception no handler took becomes: 503 when PostgreSQL is out of reach, else 500."""
    if database_unavailable(exc):
        return _unavailable(request, exc)
    # Log the stack trace for operators; never send it to the client.
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return problem_response(
        500,
        "Internal error",
        "Something went wrong on our side; nothing was saved. Try again or report the request id.",
        type_slug="internal-error",
        instance=request.url.path,
        language=request_language(request),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return await render_unhandled(request, exc)


def install_error_handlers(app: FastAPI, labels: FieldLabels | None = None) -> None:
    """``labels``: the service's Chinese field labels for validation errors (shared/labels.py)."""
    app.state.field_labels = COMMON | labels if labels is not None else COMMON
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PostgresError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
