"""The bulk import's body, parsed once: pydantic's JSON parser straight from the bytes.

FastAPI parses a JSON body with ``json.loads`` and then validates the Python objects, which for a
5,000-household roll costs about four times pydantic's own ``validate_json`` on the raw bytes
(~50 against ~13 µs a household, tests/bench/bulk_import.py). A route built with
``ParsedBodyRoute.for_model(M)`` hands FastAPI a request whose ``json()`` is already the validated
``M``; FastAPI's own validation of the body then passes the instance through (pydantic does not
revalidate an instance of the model it expects). The route's signature is untouched, so the
documented request schema stays what it was.

A body that ``validate_json`` refuses is parsed again the plain way and handed to FastAPI, which
refuses it as before: same problem+json, same reasons and locations, same 422 for malformed JSON.
Only accepted bodies take the fast path, and JSON validation accepts exactly what Python validation
of the decoded JSON accepts (tests/registry/unit/test_bulk_request.py holds the two side by side).

While such a request is handled, the cyclic garbage collector waits (:func:`collector_paused`): an
import allocates ~20 tracked objects a person (models, records, ciphertexts), and the collections
these allocations trigger traverse the whole heap again and again: ~80 µs of CPU a household of
the ~250 the import cost (tests/bench/bulk_import.py). Reference counting frees what it always
frees; cycles made meanwhile wait for the next collection, once the last such request is done.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

__all__ = ["ParsedBodyRoute", "collector_paused"]

_paused = {"blocks": 0, "was_enabled": False}  # blocks in progress; the collector's state before


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block; back as it was when the last of overlapping
    blocks (concurrent imports) ends."""
    if _paused["blocks"] == 0:
        _paused["was_enabled"] = gc.isenabled()
        gc.disable()
    _paused["blocks"] += 1
    try:
        yield
    finally:
        _paused["blocks"] -= 1
        if _paused["blocks"] == 0 and _paused["was_enabled"]:
            gc.enable()


class _ParsedJsonRequest(Request):
    adapter: ClassVar[TypeAdapter[Any]]

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = self.adapter.validate_json(body)
            except ValidationError:
                self._json = json.loads(body)  # refused by FastAPI, in its words (see the module)
        return self._json


class ParsedBodyRoute(APIRoute):
    """An APIRoute whose JSON body is validated by ``request_class.adapter`` from the raw bytes."""

    request_class: ClassVar[type[_ParsedJsonRequest]]

    @classmethod
    def for_model(cls, model: type[BaseModel]) -> type[ParsedBodyRoute]:
        request_class = type(
            f"{model.__name__}Request", (_ParsedJsonRequest,), {"adapter": TypeAdapter(model)}
        )
        return type(f"{model.__name__}Route", (cls,), {"request_class": request_class})

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        request_class = self.request_class

        async def parsed_body_handler(request: Request) -> Response:
            parsed = request_class(request.scope, request.receive)
            with collector_paused():
                try:
                    return await handler(parsed)
                finally:
                    # the body let go while the collector still waits: reference counting frees it
                    # (other requests' dependencies may hold this request a while longer), and the
                    # collection that follows has not ~100,000 live objects to walk and keep
                    parsed.__dict__.pop("_json", None)

        return parsed_body_handler
