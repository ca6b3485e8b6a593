from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.registry.models import RollupCounter
from services.registry.rollups.rules import CounterDelta
from shared.repository import Repository


class RollupRepository(Repository):
    async def apply(self, deltas: Sequence[CounterDelta]) -> None:
        """Add the deltas in one statement; rows are touched in key order (no deadlock between writers)."""
        merged: dict[tuple[str, str, str], list[int]] = {}
        for d in deltas:
            cell = merged.setdefault((d.area_prefix, d.dimension, d.key), [0, 0])
            cell[0] += d.households
            cell[1] += d.persons
        rows = [
            {"area_prefix": p, "dimension": dim, "key": k, "households": h, "persons": n}
            for (p, dim, k), (h, n) in sorted(merged.items())
            if h or n
        ]
        for start in range(0, len(rows), 2000):
            stmt = insert(RollupCounter).values(rows[start : start + 2000])
            await self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[RollupCounter.area_prefix, RollupCounter.dimension, RollupCounter.key],
                    set_={
                        "households": RollupCounter.households + stmt.excluded.households,
                        "persons": RollupCounter.persons + stmt.excluded.persons,
                    },
                )
            )

    async def for_prefix(self, prefix: str) -> list[RollupCounter]:
        stmt = select(RollupCounter).where(RollupCounter.area_prefix == prefix)
        return list((await self.session.execute(stmt)).scalars())

    async def for_prefixes(self, prefixes: Sequence[str], dimension: str) -> list[RollupCounter]:
        stmt = select(RollupCounter).where(
            RollupCounter.area_prefix.in_(list(prefixes)), RollupCounter.dimension == dimension
        )
        return list((await self.session.execute(stmt)).scalars())
