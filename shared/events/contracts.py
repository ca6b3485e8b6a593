"""Typed event contracts: one pydantic model per event type and version.

The producing service owns the contracts of what it publishes (``services/<svc>/events.py``);
consumers in other services import that module and parse what they receive into the model instead
of indexing dicts. Each contract names its type, version included, in its header::

    class HouseholdRemoved(EventContract, type="registry.household.removed.v1"):
        household_id: str
        area_code: AreaCode
        reason: str

Producers build the model and hand it to :func:`emit` (the outbox row, in the caller's
transaction). On the wire ``data`` is the model's JSON: the fields the producer set, plus any
extra ones it added. Consumers call ``HouseholdRemoved.of(event)`` (or :func:`parse`). An event
whose type has no contract, or whose payload does not validate, raises :class:`ContractViolation`;
the consumer runner sends it straight to the dead letters (``shared.events.deadletter``) with the
reason, without retries: it would fail the same way every time.

A contract's JSON schema is pinned in ``docs/event-contracts.lock.json``; changing a model under
the same type name fails ``tests/deploy/test_event_contracts.py``: publish the change as ``.v2``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Write
from shared.events.envelope import CloudEvent
from shared.events.outbox import add_event, add_events, event_write
from shared.shaping import from_row

__all__ = [
    "AreaCode",
    "CheckpointSealed",
    "ContractPart",
    "ContractViolation",
    "EventContract",
    "Fen",
    "IsoDate",
    "contract_for",
    "contracts",
    "emit",
    "emit_many",
    "emit_write",
    "parse",
    "schema_hash",
]

# Documented shapes; not narrowed further, so events already in the streams keep parsing.
AreaCode = Annotated[str, Field(description="12-digit division code", examples=["440783105201"])]
Fen = Annotated[int, Field(description="amount in fen (1 yuan = 100 fen)")]
IsoDate = date  # on the wire "YYYY-MM-DD"

_REGISTRY: dict[str, type[EventContract]] = {}


class ContractViolation(Exception):
    """The event cannot be read by this consumer: unknown type/version, or a malformed payload.

    Not a ValueError on purpose: handlers that tolerate their own ValueErrors must not swallow it.
    """

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type}: {reason}")
        self.event_type = event_type
        self.reason = reason


class ContractPart(BaseModel):
    """A nested object inside a payload (a criterion, a posting); open to extra fields like it."""

    model_config = ConfigDict(extra="allow", frozen=True)


class EventContract(BaseModel):
    """Base of every event payload. A contract names its ``type`` (with its ``.vN``) in its header,
    ``class HouseholdRemoved(EventContract, type="registry.household.removed.v1")``, and registers;
    a subclass without one is a shape shared by several contracts."""

    # Producers may add fields (kept, passed on); consumers ignore the ones they do not know.
    model_config = ConfigDict(extra="allow", frozen=True)

    type: ClassVar[str] = ""

    def __init_subclass__(cls, type: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "type" in cls.__dict__:  # the old spelling would leave the contract out of the registry
            raise TypeError(f"{cls.__qualname__} names its event type in its header: (..., type=...)")
        if not type:
            return  # an abstract shape shared by several contracts
        event_type = cls.type = type
        known = _REGISTRY.get(event_type)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise TypeError(f"{event_type} has two contracts: {known.__qualname__} and {cls.__qualname__}")
        _REGISTRY[event_type] = cls

    @classmethod
    def of(cls, event: CloudEvent) -> Self:
        """The event's payload as this contract (parsed once per event)."""
        if event.type != cls.type:
            raise ContractViolation(event.type, f"expected {cls.type}")
        model = parse(event)
        assert isinstance(model, cls)
        return model

    def data(self) -> dict[str, Any]:
        """The JSON ``data`` of the event: what the producer set (and any extra field it added)."""
        return self.model_dump(mode="json", exclude_unset=True)

    @classmethod
    def from_row(cls, row: object, **values: Any) -> Self:
        """The payload a producer builds from its row (``shared.shaping.from_row``): each field of the
        contract that ``values`` does not give is read off ``row`` under the same name; ids and dates
        go in as their JSON text. Every field is set, so ``data()`` carries them all."""
        return from_row(cls, _OnTheWire(row), **{name: _wire(value) for name, value in values.items()})


class _OnTheWire:
    """A row whose attributes read as the payload carries them."""

    def __init__(self, row: object) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return _wire(getattr(self._row, name))


def _wire(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return value


class CheckpointSealed(EventContract):
    """``<service>.audit.checkpoint_sealed.v1`` (shared.audit.seal); each service registers its type."""

    checkpoint_id: int
    from_id: int = Field(description="exclusive")
    upto_id: int = Field(description="inclusive")
    row_count: int
    prev_digest: str
    digest: str
    sealed_at: str = Field(description="ISO 8601 date-time with offset")


def contracts() -> Mapping[str, type[EventContract]]:
    """Every registered contract by type (those whose modules were imported)."""
    return dict(_REGISTRY)


def contract_for(event_type: str) -> type[EventContract] | None:
    return _REGISTRY.get(event_type)


def parse(event: CloudEvent, known: Mapping[str, type[EventContract]] | None = None) -> EventContract:
    """The payload of ``event`` as its contract; :class:`ContractViolation` if unknown or malformed."""
    # the private attribute through its slot: ``event._contract`` goes through pydantic's __getattr__
    private = event.__pydantic_private__
    cached: EventContract | None = private.get("_contract") if private is not None else None
    if cached is not None and cached.type == event.type:  # only ever an EventContract (below)
        return cached
    model = (known if known is not None else _REGISTRY).get(event.type)
    if model is None:
        raise ContractViolation(event.type, "unknown event type or version: no contract for it here")
    try:
        parsed = model.model_validate(event.data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ContractViolation(event.type, f"payload does not match {model.__name__}: {problems}") from exc
    if private is not None:
        private["_contract"] = parsed
    else:
        event._contract = parsed
    return parsed


async def emit(session: AsyncSession, payload: EventContract, *, subject: str) -> CloudEvent:
    """Write ``payload`` as an event of its contract's type to the outbox (caller's transaction)."""
    return await add_event(session, type=_type_of(payload), subject=subject, data=payload.data())


def emit_write(payload: EventContract, *, subject: str) -> Write:
    """:func:`emit`'s outbox row as a write not yet run (``shared.db.write_together``)."""
    return event_write(type=_type_of(payload), subject=subject, data=payload.data())[1]


async def emit_many(
    session: AsyncSession, events: Iterable[tuple[str, EventContract]]
) -> Sequence[CloudEvent]:
    """Many ``(subject, payload)`` in one multi-row INSERT."""
    return await add_events(session, [(_type_of(p), s, p.data()) for s, p in events])


def _type_of(payload: EventContract) -> str:
    if not type(payload).type:
        raise TypeError(f"{type(payload).__name__} names no event type")
    return type(payload).type


def schema_hash(model: type[EventContract]) -> str:
    """A stable digest of the contract's JSON schema (what the lock file pins)."""
    schema = model.model_json_schema(mode="serialization")
    return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
