"""``Idempotency-Key`` for writes, kept in the same transaction as the write itself.

Usage in a router::

    @router.post("/things", status_code=201)
    async def create(body: In, session: SessionDep, user: CurrentUser, idem: IdempotencyDep) -> Out:
        return await idem.created(Out, await service.create(...))

(``idem.created(Model, row)`` validates, keeps and returns the answer; ``idem.answer(out)`` keeps an
answer already shaped, ``idem.answer(out, 200)`` one that is not a 201.)

- the same key with the same body replays the first response (nothing moves twice);
- the same key with another body is refused (409: the key is taken by the state the first request
  left, not malformed input; the IETF draft suggests 422, which this platform keeps for bodies that
  are malformed in themselves, STYLE habit 6);
- the same key while the first request is still running answers 409 (an advisory lock held by the
  first request's transaction);
- the key is stored only if the first request commits, so a failed request can be retried;
- a replay carries the first answer's ``ETag`` and ``Location`` too (``REPLAYED_HEADERS``), so a
  client that retried can go on with the If-Match it would have had.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import CurrentUser, Principal
from shared.db import SessionDep
from shared.errors import Conflict, DomainError, InvalidInput
from shared.tables import idempotency_key

__all__ = ["Idempotency", "IdempotencyDep", "install_idempotency_handler"]

HEADER = "Idempotency-Key"
# What of the first answer's headers a replay sends again (the body and status are kept anyway).
REPLAYED_HEADERS = ("ETag", "Location")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class IdempotencyKeyInFlight(Conflict):
    type_slug = "idempotency-key-in-flight"
    title = "A request with this Idempotency-Key is still being processed"
    title_zh = "相同 Idempotency-Key 的请求正在处理中"
    hint_zh = "稍等片刻再查看结果，不要重复提交"
    hint_en = "Wait and look for the result; do not send again"


class IdempotencyKeyReused(Conflict):
    type_slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"
    title_zh = "Idempotency-Key 已用于另一个请求"
    hint_zh = "新的请求请使用新的 Idempotency-Key"
    hint_en = "Use a new key for a new request"


class _Replay(DomainError):
    """Not an error: carries the stored response of the first request out of the dependency."""

    def __init__(self, status_code: int, body: Any, headers: dict[str, str] | None) -> None:
        super().__init__("replay")
        self.status_code = status_code
        self.body = body
        self.headers = headers or {}


@dataclass(eq=False)
class Idempotency:
    """One request's key (None: the client sent none) and what identifies the request."""

    session: AsyncSession
    principal: Principal
    key: str | None
    method: str
    path: str
    body_hash: str
    # the answer to keep (status, body), written when the route has returned (``keep``), with
    # the headers the route set by then
    kept: tuple[int, Any] | None = None

    async def check(self) -> None:
        if self.key is None:
            return
        lock_name = f"idem|{self.principal.sub}|{self.key}"
        lock = func.pg_try_advisory_xact_lock(func.hashtextextended(lock_name, 0))
        got = (await self.session.execute(select(lock))).scalar_one()
        if not got:
            raise IdempotencyKeyInFlight(
                "The first request with this Idempotency-Key has not finished; retry in a moment",
            )
        row = (
            await self.session.execute(
                select(idempotency_key).where(
                    idempotency_key.c.principal == self.principal.sub, idempotency_key.c.key == self.key
                )
            )
        ).first()
        if row is None:
            return
        if row.body_hash != self.body_hash or row.path != self.path or row.method != self.method:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different request; use a new key",
            )
        raise _Replay(row.status_code, row.response, row.headers)

    async def save(self, status_code: int, body: Any) -> None:
        """Keep this answer for the key; stored (with its ETag and Location) once the route returns,
        inside the request's transaction."""
        if self.key is not None:
            self.kept = (status_code, jsonable_encoder(body))

    async def keep(self, response: Response) -> None:
        if self.kept is None:
            return
        status_code, body = self.kept
        headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
        request = {name: getattr(self, name) for name in ("key", "method", "path", "body_hash")}
        row = {"principal": self.principal.sub, "status_code": status_code, "response": body, **request}
        await self.session.execute(insert(idempotency_key).values(**row, headers=headers or None))

    async def answer(self, out: T, status_code: int = 201) -> T:
        """Keep ``out`` as this key's answer (a retry gets it back) and return it."""
        await self.save(status_code, out)
        return out

    async def created(self, model: type[M], row: object, status_code: int = 201) -> M:
        """``model`` validated from ``row`` (a domain object), kept as this key's answer, returned."""
        return await self.answer(model.model_validate(row, from_attributes=True), status_code)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=200,
        description=(
            "A key the client makes once per write (e.g. a UUID) and sends again with every retry of "
            "it: the write happens once and a retry gets the first answer back (`Idempotent-Replayed: "
            "true`). A key sent again with a different body is 409 idempotency-key-reused; while the first "
            "is still running, 409."
        ),
        examples=["3f0c9a52-7f1e-4c55-9a57-1d2b3c4d5e6f"],
    ),
]


async def _idempotency(
    request: Request, response: Response, session: SessionDep, user: CurrentUser, key: IdempotencyKey = None
) -> AsyncIterator[Idempotency]:
    if key is not None and not (1 <= len(key) <= 200):
        raise InvalidInput("Idempotency-Key must have 1 to 200 characters")
    body = await request.body()
    idem = Idempotency(session, user, key, request.method, request.url.path, hashlib.sha256(body).hexdigest())
    await idem.check()
    yield idem
    # the route has returned and set its headers; the session (entered first) commits after this
    await idem.keep(response)


# scope="function": kept when the route returns, before the request's transaction commits
IdempotencyDep = Annotated[Idempotency, Depends(_idempotency, scope="function")]


async def _replay(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, _Replay)
    headers = {**exc.headers, "Idempotent-Replayed": "true"}
    return JSONResponse(exc.body, status_code=exc.status_code, headers=headers)


def install_idempotency_handler(app: FastAPI) -> None:
    app.add_exception_handler(_Replay, _replay)
