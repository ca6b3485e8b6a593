"""Audit trail: who did what, when, before and after, chained by hash so tampering shows.

Each entity has its own chain: a row's hash covers its content and the hash of the entity's
previous row, so editing or deleting a row in the middle breaks every later hash of that entity.
Chaining per entity (not one global chain) keeps writers of different households or accounts
from queueing behind one lock; a transaction-level advisory lock on the entity keeps each chain
linear under concurrent requests.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.context import get_request_id
from shared.tables import audit_log

__all__ = ["GENESIS", "record", "verify_chain"]

GENESIS = "0" * 64


def _digest(prev_hash: str, row: dict[str, Any]) -> str:
    canonical = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


async def record(
    session: AsyncSession,
    *,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
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
    row = {
        "at": datetime.now(UTC).isoformat(),
        "actor": actor.sub if isinstance(actor, Principal) else actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": _jsonable(before),
        "after": _jsonable(after),
        "request_id": get_request_id(),
    }
    digest = _digest(prev, row)
    await session.execute(
        insert(audit_log).values(
            **{**row, "at": datetime.fromisoformat(row["at"])}, prev_hash=prev, hash=digest
        )
    )


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
