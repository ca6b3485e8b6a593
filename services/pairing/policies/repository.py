"""All SQL about pairing policy overrides."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.pairing.models import PolicyOverrideRow
from shared.repository import Repository


class PolicyRepository(Repository[PolicyOverrideRow]):
    model = PolicyOverrideRow

    async def all(self) -> list[PolicyOverrideRow]:
        # A handful of rows per province: loaded whole and resolved in memory.
        stmt = select(PolicyOverrideRow).order_by(PolicyOverrideRow.area_prefix, PolicyOverrideRow.valid_from)
        return list((await self.session.execute(stmt)).scalars())

    async def at(self, area_prefix: str, valid_from: date, *, lock: bool = False) -> PolicyOverrideRow | None:
        stmt = select(PolicyOverrideRow).where(
            PolicyOverrideRow.area_prefix == area_prefix, PolicyOverrideRow.valid_from == valid_from
        )
        if lock:  # a change holds the row from its If-Match check to its write
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def insert_new(self, values: dict[str, object]) -> PolicyOverrideRow | None:
        """Insert a new override; None if a concurrent request recorded the same area and date first."""
        stmt = (
            insert(PolicyOverrideRow)
            .values(**values, version=1)
            .on_conflict_do_nothing(index_elements=["area_prefix", "valid_from"])
            .returning(PolicyOverrideRow)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
