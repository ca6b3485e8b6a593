"""One domain error tree, rendered in one place as RFC 9457 ``application/problem+json``.

Services raise subclasses (``HouseholdNotFound``), never ``HTTPException``.
"""

from __future__ import annotations

import socket
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "PROBLEM_BASE",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "PreconditionFailed",
    "PROBLEM_RESPONSES",
    "PreconditionRequired",
    "Problem",
    "Unauthorized",
    "database_unavailable",
    "install_error_handlers",
    "problem_response",
    "render_unhandled",
]

PROBLEM_BASE = "https://jingzhun.example/problems/"
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})
log = structlog.get_logger(__name__)


class DomainError(Exception):
    status: ClassVar[int] = 400
    type_slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    type_slug = "conflict"
    title = "Conflict with the current state"


class Forbidden(DomainError):
    status = 403
    type_slug = "forbidden"
    title = "Not allowed for your role"


class Unauthorized(DomainError):
    status = 401
    type_slug = "unauthorized"
    title = "Authentication required"


class InvalidInput(DomainError):
    status = 422
    type_slug = "invalid-input"
    title = "Invalid input"


class PreconditionFailed(DomainError):
    status = 412
    type_slug = "precondition-failed"
    title = "The resource changed since you read it"


class PreconditionRequired(DomainError):
    status = 428
    type_slug = "precondition-required"
    title = "If-Match header required"


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
) -> JSONResponse:
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
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


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
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        instance=request.url.path,
        headers=headers,
        extensions=_json_safe(exc.extensions),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem_response(
        422,
        "The request is malformed",
        f"Fix these fields and send again: {summary}",
        type_slug="validation-error",
        instance=request.url.path,
        extensions={"errors": errors},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and request.method in ("POST", "PUT", "PATCH"):
        # FastAPI's "error parsing the body" (bytes that are not UTF-8 text): a malformed payload.
        return problem_response(
            422,
            "The request is malformed",
            "The body could not be read: send JSON encoded as UTF-8",
            type_slug="validation-error",
            instance=request.url.path,
            extensions={"errors": [{"field": "body", "message": "not UTF-8 JSON text"}]},
        )
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem_response(
        exc.status_code,
        str(exc.detail),
        str(exc.detail),
        type_slug=slug,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


# PostgreSQL SQLSTATE classes a client can cause with a value the schema let through.
_TEXT_NOT_STORABLE = {"22021", "22P05"}  # NUL character / not valid text in this encoding


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Values the database refuses become a clear 4xx; the transaction was rolled back, nothing saved."""
    assert isinstance(exc, DBAPIError)
    code = str(getattr(exc.orig, "sqlstate", None) or "")
    cause = getattr(exc.orig, "__cause__", None)
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
    log.warning("database_refused_value", path=request.url.path, sqlstate=code, error=str(exc.orig)[:200])
    # Nothing was saved; a 503 says when to send it again (RFC 9110 §10.2.3).
    headers = {"Retry-After": "1"} if status == 503 else None
    return problem_response(status, title, detail, type_slug=slug, instance=request.url.path, headers=headers)


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
        "The database cannot be reached right now; nothing was saved. Send the request again "
        "in a few seconds.",
        type_slug="database-unavailable",
        instance=request.url.path,
        headers={"Retry-After": str(_UNAVAILABLE_RETRY_AFTER_S)},
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
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return await render_unhandled(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
