"""Re-encrypt a service's personal-data columns under the current key (``jingzhun pii rotate``).

Each service names its encrypted columns (``PII_COLUMNS`` in its ``app.py``). Rows are walked in
primary-key order in small batches, one transaction per batch, locking only the batch's rows
(a row a request holds is waited for, briefly), so the service keeps serving while it runs.
Values already under the current key are left alone, so the command can be interrupted and run
again. Keyed hashes are not touched: the hash key never rotates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text

from shared.db import Database
from shared.pii import PiiCipher

__all__ = ["PiiColumn", "RotationReport", "rotate_column"]


@dataclass(frozen=True)
class PiiColumn:
    """An encrypted column: ``table.column``, walked by the primary key ``key``."""

    table: str
    key: str
    column: str
    key_type: str = "uuid"

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class RotationReport:
    column: str
    scanned: int = 0
    rotated: int = 0


async def rotate_column(
    db: Database, col: PiiColumn, cipher: PiiCipher, *, batch: int = 500
) -> RotationReport:
    report = RotationReport(column=str(col))
    # Identifiers come from the services' code (PII_COLUMNS), never from input.
    select = text(
        f"SELECT {col.key} AS k, {col.column} AS v FROM {col.table} "
        f"WHERE {col.column} IS NOT NULL "
        f"AND (CAST(:after AS text) IS NULL OR {col.key} > CAST(CAST(:after AS text) AS {col.key_type})) "
        f"ORDER BY {col.key} LIMIT :n FOR UPDATE"
    )
    update = text(f"UPDATE {col.table} SET {col.column} = :v WHERE {col.key} = :k").bindparams(
        bindparam("k"), bindparam("v")
    )
    after: Any = None
    while True:
        async with db.transaction() as session:
            rows = (await session.execute(select, {"after": after, "n": batch})).all()
            if not rows:
                return report
            changes = [{"k": k, "v": cipher.rotate(v)} for k, v in rows if not cipher.is_current(v)]
            if changes:
                await session.execute(update, changes)
            report.scanned += len(rows)
            report.rotated += len(changes)
            after = str(rows[-1][0])
