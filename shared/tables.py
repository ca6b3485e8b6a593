"""Platform tables every service database has: outbox, inbox, audit log, idempotency keys.

Defined once here (Core tables, used for DML by shared code) and copied into each service's
own MetaData with ``include_platform_tables`` so each Alembic history creates them.
"""

from __future__ import annotations

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
    "outbox",
]

_platform = make_metadata()

outbox = Table(
    "outbox",
    _platform,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("seq", BigInteger, Identity(always=False), nullable=False),
    Column("type", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("request_id", String(100), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(100), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_inbox_handled_at", inbox.c.handled_at)

audit_log = Table(
    "audit_log",
    _platform,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("entity_type", String(100), nullable=False),
    Column("entity_id", String(100), nullable=False),
    Column("before", JSONB, nullable=True),
    Column("after", JSONB, nullable=True),
    Column("request_id", String(100), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_log_entity", audit_log.c.entity_type, audit_log.c.entity_id)

# Seals over the whole audit log in id order (shared.audit.seal): a deleted chain, or a deleted
# last row of a chain, which the per-entity chains cannot show, breaks the seal that covered it.
audit_checkpoint = Table(
    "audit_checkpoint",
    _platform,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("sealed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("from_id", BigInteger, nullable=False),  # exclusive: the previous seal's upto_id
    Column("upto_id", BigInteger, nullable=False, unique=True),  # inclusive
    Column("row_count", BigInteger, nullable=False),
    Column("prev_digest", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
)

idempotency_key = Table(
    "idempotency_key",
    _platform,
    Column("principal", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", String(500), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_idempotency_key_created_at", idempotency_key.c.created_at)

# What `make run`'s demo loader created in this database (shared.demo): the demo loads once (the
# row ('demo', 'loaded') says it did) and `jingzhun demo reset` removes exactly these entities.
demo_record = Table(
    "demo_record",
    _platform,
    Column("entity_type", String(100), primary_key=True),
    Column("entity_id", String(100), primary_key=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def include_platform_tables(metadata: MetaData) -> None:
    """Copy the platform tables into a service's MetaData (for its migrations)."""
    for table in (outbox, inbox, audit_log, audit_checkpoint, idempotency_key, demo_record):
        if table.name not in metadata.tables:
            table.to_metadata(metadata)
