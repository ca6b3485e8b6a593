"""Tables of the pairing service (its own database, its own MetaData and Alembic history)."""

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata
from shared.tables import include_platform_tables

metadata = make_metadata()
include_platform_tables(metadata)  # outbox, inbox, audit_log, idempotency_key


class Base(DeclarativeBase):
    metadata = metadata
