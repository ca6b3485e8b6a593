"""All SQL about pairing policy overrides."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.pairing.models import PolicyOverrideRow
from shared.repository import Repository


class PolicyRepository(Repository):
    async def all(self) -> list[PolicyOverrideRow]:
        # A handful of rows per province: loaded whole and resolved in memory.
        stmt = select(PolicyOverrideRow).order_by(PolicyOverrideRow.area_prefix, PolicyOverrideRow.valid_from)
        return list((await self.session.execute(stmt)).scalars())

    async def put(self, values: dict[str, object]) -> None:
        stmt = insert(PolicyOverrideRow).values(**values)
        update = {k: stmt.excluded[k] for k in values if k not in ("id", "area_prefix", "valid_from")}
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["area_prefix", "valid_from"], set_=update)
        )
