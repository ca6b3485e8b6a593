"""Audit trail: who did what, when, before and after, chained by hash so tampering shows.

Each entity has its own chain: a row's hash covers its content and the hash of the entity's
previous row, so editing or deleting a row in the middle breaks every later hash of that entity.
Chaining per entity (not one global chain) keeps writers of different households or accounts
from queueing behind one lock; a transaction-level advisory lock on the entity keeps each chain
linear under concurrent requests.

What a per-entity chain cannot show is the loss of a whole chain, or of a chain's last rows. A
periodic *seal* covers that: it digests every audit row (id and hash, in id order) since the
previous seal into a checkpoint row chained to the previous checkpoint, and publishes the
checkpoint as an event, so a copy lives outside the database (the stream, and the change feed of
provincial platforms). Rows are sealed only once they are ``settle_s`` old, so a transaction still
in flight with a smaller id is not skipped. ``verify_checkpoints`` recomputes every seal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, func, insert, literal, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.bulk import any_of, unnest_insert
from shared.clock import clock
from shared.context import get_request_id
from shared.db import Write, write_rows
from shared.events.contracts import CheckpointSealed
from shared.events.outbox import add_event
from shared.tables import audit_checkpoint, audit_log

__all__ = [
    "GENESIS",
    "Checkpoint",
    "new_entities_write",
    "record",
    "record_many",
    "record_new",
    "record_update",
    "seal",
    "verify_chain",
    "verify_checkpoints",
]

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    """The JSON text a row's hash covers: keys sorted, no ASCII escapes, no spaces."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def _digest(prev_hash: str, row: dict[str, Any]) -> str:
    return _hashed(prev_hash, _canonical(row))


def _hashed(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from JSON (dates and ids as strings, tuples as lists)."""
    if value is None:
        return None
    # the usual before/after: a flat dict of plain values reads back as itself (no round trip)
    if type(value) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):
        return dict(value)
    return json.loads(json.dumps(value, default=str))


def _str_keyed(value: Any) -> bool:
    """True when every dict in ``value`` has only string keys (then its canonical text is that of
    what reads back from JSON: dates, ids and other objects as strings, tuples as lists)."""
    if type(value) in _PLAIN:
        return True
    if isinstance(value, dict):
        return all(type(k) is str for k in value) and all(_str_keyed(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(type(v) in _PLAIN or _str_keyed(v) for v in value)
    return True  # written as str(value), a string


def _state_text(value: Any) -> str:
    """The canonical JSON text of ``_jsonable(value)`` ("null" for None), in one serialisation when
    the keys allow (an import's audit record lists thousands of ids: serialised once, not thrice)."""
    if _str_keyed(value):
        return _canonical(value)
    return _canonical(_jsonable(value))  # non-string keys are sorted as the strings they become


async def record(
    session: AsyncSession,
    actor: Principal | str,
    action: str,
    entity: tuple[str, Any],
    /,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Who (``actor``) did what (``action``, e.g. "helper.left") to which ``entity`` (its type and id:
    ``("helper", helper.id)``), with its state before and after; chained on the entity's last row."""
    entity_type, entity_id = entity
    chain = f"audit|{entity_type}|{entity_id}"
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": chain})
    prev = (
        await session.execute(
            select(audit_log.c.hash)
            .where(audit_log.c.entity_type == entity_type, audit_log.c.entity_id == str(entity_id))
            .order_by(audit_log.c.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none() or GENESIS
    at = clock.now()
    row = {
        "at": at.isoformat(),
        "actor": actor.sub if isinstance(actor, Principal) else actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "request_id": get_request_id(),
    }
    # before and after serialised once: their text is part of the hashed row's canonical text (keys
    # sorted, as _digest's) and is what the row stores (PostgreSQL parses it as jsonb)
    given = {"before": before, "after": after}
    states = {k: _state_text(v) for k, v in given.items()}
    texts = {k: _canonical(v) for k, v in row.items()} | states
    digest = _hashed(prev, "{" + ",".join(f"{_canonical(k)}:{texts[k]}" for k in sorted(texts)) + "}")
    await session.execute(
        insert(audit_log).values(
            **{**row, "at": at},
            **{k: None if v is None else cast(literal(states[k], Text), JSONB) for k, v in given.items()},
            prev_hash=prev,
            hash=digest,
        )
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def record_new(
    session: AsyncSession, actor: Principal | str, action: str, row: Any, /, *fields: str
) -> None:
    """:func:`record` a new ``row`` once written: the state after is its ``fields`` as the row holds
    them (times in ISO form); the entity is the row's table and id, as every audit row of a table's
    rows names it (``record_new(s, actor, "edge_household.added", edge, "area_code", "persons")``
    chains on ``("edge_household", edge.id)``)."""
    after = {name: _iso(getattr(row, name)) for name in fields}
    await record(session, actor, action, (row.__tablename__, row.id), after=after)


async def record_update(
    session: AsyncSession,
    actor: Principal | str,
    action: str,
    entity: tuple[str, Any],
    row: Any,
    /,
    *,
    note: dict[str, Any] | None = None,
    **changes: Any,
) -> None:
    """Set ``changes`` on ``row``, write it, and :func:`record` the change: the fields' values before
    and after (times in ISO form), the after side with the ``note`` (e.g. the reason) added."""
    before = {name: _iso(getattr(row, name)) for name in changes}
    for name, value in changes.items():
        setattr(row, name, value)
    await session.flush()
    after = {name: _iso(value) for name, value in changes.items()}
    await record(session, actor, action, entity, before=before, after={**after, **(note or {})})


async def record_many(
    session: AsyncSession,
    *,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entries: Sequence[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]],
    serialized_by: str,
    new_entities: bool = False,
) -> None:
    """One audit row per ``(entity_id, before, after)``, in two statements whatever their number
    (one with ``new_entities``: ids made in this transaction have no chain yet to look up).

    Rows chain exactly as :func:`record`'s, but without a lock per entity: a job that touches
    tens of thousands of entities in one transaction would hold one advisory lock each until
    the commit and exhaust the lock table (``out of shared memory``). The caller must already
    hold a lock that serializes every writer of these entities' chains; ``serialized_by`` names
    it (read it as part of the contract, e.g. "the coverage check's lock").
    """
    if not entries:
        return
    ids = [str(entity_id) for entity_id, _, _ in entries]
    prev_of: dict[str, str] = {} if new_entities else await _heads(session, entity_type, ids)
    await write_rows(session, *_chained(actor, action, entity_type, entries, prev_of))


def new_entities_write(
    *,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entries: Sequence[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]],
) -> Write:
    """:func:`record_many` with ``new_entities`` as a write not yet run, for a use case that sends
    its writes together (``shared.db.write_together``): the first rows of entities whose ids were
    made in this transaction (no other writer knows them, so no chain to look up or lock)."""
    return _chained(actor, action, entity_type, entries, {})


def _chained(
    actor: Principal | str,
    action: str,
    entity_type: str,
    entries: Sequence[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]],
    prev_of: dict[str, str],
) -> Write:
    """The INSERT of one audit row per entry, each chained on ``prev_of`` its entity's last hash."""
    at = clock.now()
    who = actor.sub if isinstance(actor, Principal) else actor
    rid = get_request_id()
    rows = []
    for entity_id, before, after in entries:
        row = {
            "at": at.isoformat(),
            "actor": who,
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "before": _jsonable(before),
            "after": _jsonable(after),
            "request_id": rid,
        }
        prev = prev_of.get(row["entity_id"], GENESIS)
        digest = _digest(prev, row)
        prev_of[row["entity_id"]] = digest  # an entity listed twice chains on its own new row
        rows.append({**row, "at": at, "prev_hash": prev, "hash": digest})
    return unnest_insert(audit_log, rows)  # in this order: ids follow each chain


async def _heads(session: AsyncSession, entity_type: str, ids: list[str]) -> dict[str, str]:
    """The hash of each entity's last audit row (entities without one are left out)."""
    last = (
        select(func.max(audit_log.c.id))
        .where(audit_log.c.entity_type == entity_type, any_of(audit_log.c.entity_id, "entity_ids"))
        .group_by(audit_log.c.entity_id)
    )
    heads = await session.execute(
        select(audit_log.c.entity_id, audit_log.c.hash).where(audit_log.c.id.in_(last.scalar_subquery())),
        {"entity_ids": ids},
    )
    return {str(e): str(h) for e, h in heads.all()}


async def verify_chain(session: AsyncSession) -> tuple[bool, int | None]:
    """Recompute every entity's chain. Returns (intact, id of the first broken row or None)."""
    last: dict[tuple[str, str], str] = {}
    result = await session.stream(select(audit_log).order_by(audit_log.c.id))
    async for r in result:
        key = (r.entity_type, r.entity_id)
        prev = last.get(key, GENESIS)
        row = {
            "at": r.at.astimezone(UTC).isoformat(),
            "actor": r.actor,
            "action": r.action,
            "entity_type": r.entity_type,
            "entity_id": r.entity_id,
            "before": r.before,
            "after": r.after,
            "request_id": r.request_id,
        }
        if r.prev_hash != prev or _digest(prev, row) != r.hash:
            return False, int(r.id)
        last[key] = r.hash
    return True, None


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(audit_log))).scalar_one())


@dataclass(frozen=True)
class Checkpoint:
    id: int
    from_id: int
    upto_id: int
    row_count: int
    prev_digest: str
    digest: str


async def _seal_digest(session: AsyncSession, after: int, upto: int, prev_digest: str) -> tuple[int, str]:
    """(row count, digest) of the audit rows after..upto: (id, hash) pairs in id order, seeded with
    the previous seal's digest."""
    h = hashlib.sha256(prev_digest.encode())
    count = 0
    rows = await session.stream(
        select(audit_log.c.id, audit_log.c.hash)
        .where(audit_log.c.id > after, audit_log.c.id <= upto)
        .order_by(audit_log.c.id)
        .execution_options(yield_per=5000)
    )
    async for row_id, row_hash in rows:
        h.update(f"|{row_id}:{row_hash}".encode())
        count += 1
    return count, h.hexdigest()


async def seal(
    session: AsyncSession, *, service: str, now: datetime, settle_s: float = 300
) -> Checkpoint | None:
    """Seal the audit rows older than ``settle_s`` since the last seal; None when there are none."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('audit|seal', 0))"))
    last = (
        await session.execute(
            select(audit_checkpoint.c.upto_id, audit_checkpoint.c.digest)
            .order_by(audit_checkpoint.c.upto_id.desc())
            .limit(1)
        )
    ).first()
    after, prev_digest = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    upto = (
        await session.execute(
            select(func.max(audit_log.c.id)).where(
                audit_log.c.id > after, audit_log.c.at < now - timedelta(seconds=settle_s)
            )
        )
    ).scalar_one_or_none()
    if upto is None:
        return None
    row_count, digest = await _seal_digest(session, after, int(upto), prev_digest)
    values = {
        "from_id": after,
        "upto_id": int(upto),
        "row_count": row_count,
        "prev_digest": prev_digest,
        "digest": digest,
    }
    new_id = (
        await session.execute(
            insert(audit_checkpoint).values(sealed_at=now, **values).returning(audit_checkpoint.c.id)
        )
    ).scalar_one()
    cp = Checkpoint(id=int(new_id), **values)  # type: ignore[arg-type]
    await add_event(
        session,
        type=f"{service}.audit.checkpoint_sealed.v1",
        subject=f"audit-checkpoint/{cp.id}",
        data=CheckpointSealed.model_validate(
            {"checkpoint_id": cp.id, **values, "sealed_at": now.isoformat()}
        ).data(),
    )
    return cp


async def verify_checkpoints(session: AsyncSession) -> tuple[bool, int | None]:
    """Recompute every seal from the rows. Returns (intact, id of the first broken checkpoint)."""
    prev_upto, prev_digest = 0, GENESIS
    checkpoints = (await session.execute(select(audit_checkpoint).order_by(audit_checkpoint.c.upto_id))).all()
    for cp in checkpoints:
        if cp.from_id != prev_upto or cp.prev_digest != prev_digest:
            return False, int(cp.id)  # a seal removed or rewritten before this one
        row_count, digest = await _seal_digest(session, int(cp.from_id), int(cp.upto_id), prev_digest)
        if row_count != cp.row_count or digest != cp.digest:
            return False, int(cp.id)
        prev_upto, prev_digest = int(cp.upto_id), str(cp.digest)
    return True, None
