"""What a service's ``models.py`` starts from: its own MetaData (one database, one Alembic history
per service) holding the platform tables (outbox, inbox, audit_log, idempotency_key) and, where the
service keeps it, the cadre projection (who is paired to which household, shared.cadres), so every
service's first lines read alike and each history creates them; and the columns every service
declares the same way (:func:`recorded_at`, and as annotated types: ``id: Mapped[UuidPk]``,
``area_code: Mapped[AreaCodeIndexed]``); and the two kinds of index they all declare alike: an area
subtree's (:func:`subtree_index`) and a rule's partial unique one (:func:`one_row_per`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import DateTime, Index, MetaData, String, func, text
from sqlalchemy.orm import MappedColumn, mapped_column

from shared.cadres import include_cadre_table
from shared.db import make_metadata
from shared.tables import include_platform_tables

__all__ = ["AreaCodeIndexed", "UuidPk", "one_row_per", "recorded_at", "service_metadata", "subtree_index"]

# A row's own id, made by the application (so it is known before the INSERT).
UuidPk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
# The 12-digit division code that scopes a row to an area (reads filter on it).
AreaCodeIndexed = Annotated[str, mapped_column(String(12), index=True)]


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


def subtree_index(
    name: str,
    *columns: str,
    ops: str = "varchar_pattern_ops",
    where: str | None = None,
    include: list[str] | None = None,
) -> Index:
    """An index that finds an area's subtree, ``<first column> LIKE '4407%'`` (the other columns
    follow it, e.g. for keyset order), over the rows ``where`` says, carrying ``include`` for
    index-only reads. LIKE 'prefix%' uses a btree only under the "C" collation or with a pattern
    operator class, and the databases run under C.UTF-8 (registry's were made ``text_pattern_ops``)."""
    options: dict[str, Any] = {"postgresql_ops": {columns[0]: ops}}
    if where is not None:
        options["postgresql_where"] = text(where)
    if include is not None:
        options["postgresql_include"] = include
    return Index(name, *columns, **options)


def one_row_per(name: str, *columns: str, where: str) -> Index:
    """At most one row per ``columns`` among the rows ``where`` holds for (one open need per
    household, one pending request per area): a partial unique index, so the rule holds even when
    two requests race past the service's own check."""
    return Index(name, *columns, unique=True, postgresql_where=text(where))
