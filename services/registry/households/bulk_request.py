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

A route built with ``rows=`` (the import's: ``households``) goes further: the body is decoded
once (``pydantic_core.from_json``) and everything but the rows validated (the list's length,
source and reason, and the few fields of every row read before any is built: ``keys``), and the
rows are handed over as :class:`ChunkedRows`, each validated (pydantic, Python mode: what FastAPI's
own validation of the decoded JSON does) when the import first reads it, chunk by chunk while the
previous chunk is COPYed (tests/bench/bulk_import.py: ~7 µs a household the database waited for).
When a row is refused (:class:`BodyRefused`, from ChunkedRows), the request is handled again the
plain way, its first attempt's transaction rolled back: FastAPI refuses the whole body as before,
every error of every row, in its words. A refusal of the import's own (a row's area, ID …) waits
until every row is validated (``ChunkedRows.validate_all``): the body's 422 comes first, as when
the whole body was validated before the import began.

While such a request is handled, the cyclic garbage collector waits (:func:`collector_paused`): an
import allocates ~20 tracked objects a person (models, records, ciphertexts), and the collections
these allocations trigger traverse the whole heap again and again: ~80 µs of CPU a household of
the ~250 the import cost (tests/bench/bulk_import.py). Reference counting frees what it always
frees; cycles made meanwhile wait for the next collection, once the last such request is done.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar, overload

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError, create_model
from pydantic_core import from_json

__all__ = ["BodyRefused", "ChunkedRows", "ParsedBodyRoute", "collector_paused"]

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


class BodyRefused(Exception):
    """A row of a body validated as it is read (:class:`ChunkedRows`) is refused: the request is
    handled again, the plain way, for FastAPI to refuse the whole body in its words."""


M = TypeVar("M", bound=BaseModel)


class ChunkedRows(Sequence[M], Generic[M]):
    """The rows of a body, decoded JSON, each validated (``adapter``: a list of the row model) when
    first read, in order: reading row i validates every row up to i not validated yet, and lets go
    of their decoded JSON (freed while the import runs, not all at its end)."""

    __slots__ = ("_adapter", "_items", "_keys", "_valid")

    def __init__(self, items: list[Any], adapter: TypeAdapter[list[M]], keys: list[Any]) -> None:
        self._items, self._adapter, self._keys = items, adapter, keys
        self._valid: list[M] = []

    def take_keys(self) -> list[Any]:
        """Every row's fields that are read before the rows (the row model's, validated with the
        body), handed over once."""
        keys, self._keys = self._keys, []
        return keys

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> list[M]: ...
    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, slice):
            self._validated(index.indices(len(self._items))[1])
        else:
            self._validated(range(len(self._items))[index] + 1)
        return self._valid[index]

    def __iter__(self) -> Iterator[M]:
        self.validate_all()
        return iter(self._valid)

    def validate_all(self) -> None:
        """Every row validated: BodyRefused if one is refused."""
        self._validated(len(self._items))

    def _validated(self, stop: int) -> None:
        start = len(self._valid)
        if stop > start:
            try:
                self._valid += self._adapter.validate_python(self._items[start:stop])
            except ValidationError as exc:
                raise BodyRefused from exc
            self._items[start:stop] = [None] * (stop - start)


class _ParsedJsonRequest(Request):
    adapter: ClassVar[TypeAdapter[Any]]
    chunked: ClassVar[_Chunked | None] = None

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            self._json = (self.chunked and self.chunked.parse(body)) or self.whole(body)
        return self._json

    def whole(self, body: bytes) -> Any:
        try:
            return self.adapter.validate_json(body)
        except ValidationError:
            return json.loads(body)  # refused by FastAPI, in its words (see the module)

    def refused(self, body: bytes) -> None:
        """Handled again the plain way (BodyRefused): the plain JSON, for FastAPI to refuse."""
        self._body, self._json = body, json.loads(body)


class _Chunked:
    """How a body of ``model`` is parsed with its ``rows`` field as :class:`ChunkedRows`."""

    def __init__(self, model: type[BaseModel], rows: str, keys: Sequence[str]) -> None:
        self.model, self.rows = model, rows
        field = model.model_fields[rows]
        row_list: Any = field.annotation  # list[RowModel]
        (row_model,) = row_list.__args__
        # the model with the rows as a plain list (its length checked as the model does)
        plain: Any = {rows: (list[Any], field)}
        shell: Any = create_model(f"{model.__name__}Shell", __base__=model, **plain)
        self.shell: TypeAdapter[BaseModel] = TypeAdapter(shell)
        self.row_adapter: TypeAdapter[list[Any]] = TypeAdapter(row_list)
        fields: Any = {k: (row_model.model_fields[k].annotation, row_model.model_fields[k]) for k in keys}
        key_model: Any = create_model(f"{row_model.__name__}Keys", **fields)
        self.keys: TypeAdapter[list[Any]] = TypeAdapter(list[key_model])

    def parse(self, body: bytes) -> BaseModel | None:
        """The model, its rows as ChunkedRows; None when anything else is refused (the whole body
        then takes the usual way)."""
        try:
            shell = self.shell.validate_python(from_json(body, cache_strings="keys"))
            items = getattr(shell, self.rows)
            keys = self.keys.validate_python(items)
        except (ValueError, ValidationError):  # ValidationError is a ValueError; from_json's too
            return None
        values = {name: getattr(shell, name) for name in type(shell).model_fields}
        rows = ChunkedRows(items, self.row_adapter, keys)
        return self.model.model_construct(shell.model_fields_set, **values | {self.rows: rows})


class ParsedBodyRoute(APIRoute):
    """An APIRoute whose JSON body is validated by ``request_class.adapter`` from the raw bytes."""

    request_class: ClassVar[type[_ParsedJsonRequest]]

    @classmethod
    def for_model(
        cls, model: type[BaseModel], *, rows: str | None = None, keys: Sequence[str] = ()
    ) -> type[ParsedBodyRoute]:
        """``rows``: a field (a list of a model) handed over as ChunkedRows, ``keys`` the fields of
        its rows validated with the body (see the module)."""
        attributes: dict[str, Any] = {"adapter": TypeAdapter(model)}
        if rows is not None:
            attributes["chunked"] = _Chunked(model, rows, keys)
        request_class = type(f"{model.__name__}Request", (_ParsedJsonRequest,), attributes)
        return type(f"{model.__name__}Route", (cls,), {"request_class": request_class})

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        request_class = self.request_class

        async def parsed_body_handler(request: Request) -> Response:
            parsed = request_class(request.scope, request.receive)
            handled = [parsed]
            with collector_paused():
                try:
                    try:
                        return await handler(parsed)
                    except BodyRefused:  # its transaction rolled back: now the plain way
                        plain = request_class(request.scope, request.receive)
                        plain.refused(await parsed.body())
                        handled.append(plain)
                        parsed.__dict__.pop("_json", None)
                        return await handler(plain)
                finally:
                    # the body let go while the collector still waits: reference counting frees it
                    # (other requests' dependencies may hold this request a while longer), and the
                    # collection that follows has not ~100,000 live objects to walk and keep
                    for each in handled:
                        each.__dict__.pop("_json", None)

        return parsed_body_handler
