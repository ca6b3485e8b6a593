from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.dialects.postgresql import distinct_on, insert

from services.registry.models import Area, AreaIncome
from services.registry.policies.repository import on_path_json, path_prefixes, records_from_json
from services.registry.policies.rules import PolicyRecord
from shared.db import like_prefix, read_rows
from shared.repository import Repository

# Built once (a roll-up's read; shared.db.read_rows): the prefix's LIKE pattern a parameter.
VILLAGE_POPULATION = select(func.sum(Area.rural_population)).where(
    Area.code.like(bindparam("pattern", type_=String), escape="/"), Area.level == "village"
)


_AREA_AND_POLICIES = select(Area.code, Area.level, on_path_json().label("policies")).where(
    Area.code == bindparam("code", type_=String)
)


@dataclass(frozen=True, slots=True)
class AreaPolicies:
    """An area's code and level, and the policy records that may apply to it up to a year."""

    code: str
    level: str
    policies: list[PolicyRecord]


class AreaRepository(Repository[Area]):
    model = Area

    async def with_policies(self, code: str, year: int) -> AreaPolicies | None:
        """The area (None: no such area) and its policy records, in one round trip (a new
        household's area check and batch rules)."""
        rows = await read_rows(
            self.session,
            _AREA_AND_POLICIES,
            {"code": code, "year": year, "policy_prefixes": path_prefixes(code)},
        )
        if not rows:
            return None
        r = rows[0]
        return AreaPolicies(r["code"], r["level"], list(records_from_json(r["policies"])))

    async def get_many(self, codes: set[str]) -> list[Area]:
        return list((await self.session.execute(select(Area).where(Area.code.in_(list(codes))))).scalars())

    async def dispatched_villages(self, prefix: str, level: str) -> set[str]:
        """Codes of the villages under ``prefix`` marked as pairing villages of ``level``. Takes the
        quota's transaction lock first: two loads at once count one after the other."""
        lock = func.pg_advisory_xact_lock(func.hashtextextended(f"pairing-village-quota:{prefix}:{level}", 0))
        await self.session.execute(select(lock))
        rows = await self.session.execute(
            select(Area.code).where(
                Area.code.startswith(prefix, autoescape=True), Area.pairing_dispatch_level == level
            )
        )
        return set(rows.scalars())

    async def existing_codes(self, codes: Sequence[str]) -> set[str]:
        rows = await self.session.execute(select(Area.code).where(Area.code.in_(list(codes))))
        return set(rows.scalars())

    async def upsert(self, rows: list[dict[str, object]]) -> None:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            stmt = insert(Area).values(chunk)
            columns = {c: stmt.excluded[c] for c in chunk[0] if c != "code"}
            await self.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[Area.code], set_={**columns, "updated_at": func.now()}
                )
            )

    async def upsert_income(self, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        stmt = insert(AreaIncome).values(rows)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[AreaIncome.area_code, AreaIncome.year],
                set_={"collective_income_fen": stmt.excluded.collective_income_fen},
            )
        )

    async def latest_income(self, codes: Sequence[str]) -> dict[str, tuple[int, int]]:
        stmt = (
            select(AreaIncome.area_code, AreaIncome.year, AreaIncome.collective_income_fen)
            .where(AreaIncome.area_code.in_(list(codes)))
            .ext(distinct_on(AreaIncome.area_code))
            .order_by(AreaIncome.area_code, AreaIncome.year.desc())
        )
        return {code: (year, fen) for code, year, fen in (await self.session.execute(stmt)).all()}

    async def children(self, code: str) -> list[Area]:
        rows = await self.session.execute(select(Area).where(Area.parent_code == code).order_by(Area.code))
        return list(rows.scalars())

    async def village_population(self, prefix: str) -> int | None:
        """Sum of the villages' rural population under a prefix (when the area itself has none)."""
        rows = await read_rows(self.session, VILLAGE_POPULATION, {"pattern": like_prefix(prefix)})
        total = rows[0][0] if rows else None
        return int(total) if total is not None else None
