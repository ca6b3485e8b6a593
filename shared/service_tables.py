"""The MetaData a service's ``models.py`` starts from: its own (one database, one Alembic history
per service) holding the platform tables (outbox, inbox, audit_log, idempotency_key) and the
cadre projection (who is paired to which household, shared.cadres), so every service's first
lines read alike and each history creates them."""

from __future__ import annotations

from sqlalchemy import MetaData

from shared.cadres import include_cadre_table
from shared.db import make_metadata
from shared.tables import include_platform_tables

__all__ = ["service_metadata"]


def service_metadata() -> MetaData:
    metadata = make_metadata()
    include_platform_tables(metadata)
    include_cadre_table(metadata)
    return metadata
