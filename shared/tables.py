"""Platform tables every service database has: outbox, inbox, audit log, idempotency keys.

Defined once here (Core tables, used for DML by shared code) and copied into each service's
own MetaData with ``include_platform_tables`` so each Alembic history creates them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db import make_metadata

__all__ = [
    "audit_checkpoint",
    "audit_log",
    "demo_record",
    "idempotency_key",
    "inbox",
    "include_platform_tables",
    "jsonb",
    "outbox",
    "string",
    "string_key",
    "written_at",
]

_platform = make_metadata()


def string_key(name: str, length: int) -> Column[str]:
    """A text part of a table's primary key."""
    return Column(name, String(length), primary_key=True)


def string(name: str, length: int, *, nullable: bool = False) -> Column[str]:
    """A text column, required unless ``nullable``."""
    return Column(name, String(length), nullable=nullable)


def jsonb(name: str, *, nullable: bool = False) -> Column[Any]:
    """A JSON column (PostgreSQL jsonb), required unless ``nullable``."""
    return Column(name, JSONB, nullable=nullable)


def written_at(name: str) -> Column[datetime]:
    """When the row was written, stamped by the database."""
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


outbox = Table(
    "outbox",
    _platform,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("seq", BigInteger, Identity(always=False), nullable=False),
    string("type", 200),
    string("subject", 200),
    jsonb("envelope"),
    string("request_id", 100, nullable=True),
    written_at("created_at"),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
)
# The relay only ever looks at unsent rows; keep that lookup small however long the history grows.
Index(
    "ix_outbox_unsent",
    outbox.c.seq,
    postgresql_where=outbox.c.published_at.is_(None),
)
# Pruning (shared.retention) deletes the oldest published rows, inbox rows and idempotency keys in
# batches: these let each batch find them without scanning the table.
Index(
    "ix_outbox_published_at",
    outbox.c.published_at,
    postgresql_where=outbox.c.published_at.isnot(None),
)

inbox = Table(
    "inbox",
    _platform,
    string_key("consumer", 100),
    string_key("event_id", 100),
    string("event_type", 200),
    written_at("handled_at"),
)
Index("ix_inbox_handled_at", inbox.c.handled_at)

audit_log = Table(
    "audit_log",
    _platform,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    string("actor", 200),
    string("action", 100),
    string("entity_type", 100),
    string("entity_id", 100),
    jsonb("before", nullable=True),
    jsonb("after", nullable=True),
    string("request_id", 100, nullable=True),
    string("prev_hash", 64),
    string("hash", 64),
)
Index("ix_audit_log_entity", audit_log.c.entity_type, audit_log.c.entity_id)

# Seals over the whole audit log in id order (shared.audit.seal): a deleted chain, or a deleted
# last row of a chain, which the per-entity chains cannot show, breaks the seal that covered it.
audit_checkpoint = Table(
    "audit_checkpoint",
    _platform,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    written_at("sealed_at"),
    Column("from_id", BigInteger, nullable=False),  # exclusive: the previous seal's upto_id
    Column("upto_id", BigInteger, nullable=False, unique=True),  # inclusive
    Column("row_count", BigInteger, nullable=False),
    string("prev_digest", 64),
    string("digest", 64),
)

idempotency_key = Table(
    "idempotency_key",
    _platform,
    string_key("principal", 200),
    string_key("key", 200),
    string("method", 10),
    string("path", 500),
    string("body_hash", 64),
    Column("status_code", Integer, nullable=False),
    jsonb("response", nullable=True),
    written_at("created_at"),
    # the first answer's ETag and Location (shared.idempotency.REPLAYED_HEADERS), sent with a replay
    jsonb("headers", nullable=True),
)
Index("ix_idempotency_key_created_at", idempotency_key.c.created_at)

# What `make run`'s demo loader created in this database (shared.demo): the demo loads once (the
# row ('demo', 'loaded') says it did) and `jingzhun demo reset` removes exactly these entities.
demo_record = Table(
    "demo_record",
    _platform,
    string_key("entity_type", 100),
    string_key("entity_id", 100),
    written_at("recorded_at"),
)


def include_platform_tables(metadata: MetaData) -> None:
    """Copy the platform tables into a service's MetaData (for its migrations)."""
    for table in (outbox, inbox, audit_log, audit_checkpoint, idempotency_key, demo_record):
        if table.name not in metadata.tables:
            table.to_metadata(metadata)
