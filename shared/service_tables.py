"""What a service's ``models.py`` starts from: its own MetaData (one database, one Alembic history
per service) holding the platform tables (outbox, inbox, audit_log, idempotency_key) and, where the
service keeps it, the cadre projection (who is paired to which household, shared.cadres), so every
service's first lines read alike and each history creates them; and the columns every service
declares the same way (:func:`recorded_at`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import MappedColumn, mapped_column

from shared.cadres import include_cadre_table
from shared.db import make_metadata
from shared.tables import include_platform_tables

__all__ = ["recorded_at", "service_metadata"]


def service_metadata(*, cadres: bool = True) -> MetaData:
    """``cadres=False`` for pairing: it owns the pairings the cadre projection is made from."""
    metadata = make_metadata()
    include_platform_tables(metadata)
    if cadres:
        include_cadre_table(metadata)
    return metadata


def recorded_at(**options: Any) -> MappedColumn[datetime]:
    """A timestamptz the database sets to ``now()`` on insert (``options``: ``index``, ``onupdate``,
    a client-side ``default``)."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), **options)
