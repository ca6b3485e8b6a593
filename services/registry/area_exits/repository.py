"""All SQL of village and county exits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select

from services.registry.area_exits import rules
from services.registry.models import AreaExitPolicyRow, AreaExitRequest, AreaIncome, RollupCounter
from services.registry.vocabulary import POOR_STATUSES
from shared.db import like_prefix, read_rows
from shared.repository import KeyedRepository, Repository, Slice

# Built once (a roll-up's read; shared.db.read_rows): the prefix's LIKE pattern a parameter.
EXITED_BY_YEAR = (
    select(AreaExitRequest.kind, AreaExitRequest.year, func.count())
    .where(
        AreaExitRequest.area_code.like(bindparam("pattern", type_=String), escape="/"),
        AreaExitRequest.status == "verified",
    )
    .group_by(AreaExitRequest.kind, AreaExitRequest.year)
    .order_by(AreaExitRequest.year)
)


def criteria_json(criteria: Sequence[rules.CriterionSpec]) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "label": c.label,
            "label_en": c.label_en,
            "measure": c.measure.value,
            "source": c.source.value,
            "comparison": c.comparison.value if c.comparison else None,
            "threshold": c.threshold,
            "blocking": c.blocking,
        }
        for c in criteria
    ]


def criteria_of(rows: Sequence[dict[str, Any]]) -> tuple[rules.CriterionSpec, ...]:
    return tuple(_criterion(r) for r in rows)


def _criterion(r: dict[str, Any]) -> rules.CriterionSpec:
    label, label_en = rules.label_words(r["label"], r.get("label_en"))  # older records: "中文 (English)"
    return rules.CriterionSpec(
        code=r["code"],
        label=label,
        measure=rules.Measure(r["measure"]),
        source=rules.Source(r["source"]),
        comparison=rules.Comparison(r["comparison"]) if r.get("comparison") else None,
        threshold=r.get("threshold"),
        blocking=bool(r.get("blocking", True)),
        label_en=label_en,
    )


def to_policy(row: AreaExitPolicyRow) -> rules.AreaExitPolicy:
    return rules.AreaExitPolicy(
        area_prefix=row.area_prefix,
        year=row.year,
        kind=rules.AreaExitKind(row.kind),
        source=row.source,
        criteria=criteria_of(row.criteria),
    )


def policy_row(policy: rules.AreaExitPolicy) -> dict[str, Any]:
    """The record as stored (and, with its version, as audited)."""
    return {
        "area_prefix": policy.area_prefix,
        "year": policy.year,
        "kind": policy.kind.value,
        "source": policy.source,
        "criteria": criteria_json(policy.criteria),
    }


class AreaExitPolicyRepository(KeyedRepository[AreaExitPolicyRow]):
    model = AreaExitPolicyRow
    key = ("area_prefix", "year", "kind")

    async def applicable(
        self, *, area_code: str, year: int, kind: rules.AreaExitKind
    ) -> list[rules.AreaExitPolicy]:
        prefixes = ["", area_code[:2], area_code[:4], area_code[:6], area_code[:9], area_code]
        stmt = select(AreaExitPolicyRow).where(
            AreaExitPolicyRow.year <= year,
            AreaExitPolicyRow.kind == kind.value,
            or_(AreaExitPolicyRow.area_prefix.in_(prefixes)),
        )
        return [to_policy(r) for r in (await self.session.execute(stmt)).scalars()]

    async def add_missing(self, policies: Sequence[rules.AreaExitPolicy]) -> int:
        return await self.insert_missing([policy_row(p) for p in policies])

    async def by_key(
        self, area_prefix: str, year: int, kind: rules.AreaExitKind, *, lock: bool = False
    ) -> AreaExitPolicyRow | None:
        return await self.by_natural_key(area_prefix, year, kind.value, lock=lock)

    async def add_new(self, policy: rules.AreaExitPolicy) -> AreaExitPolicyRow | None:
        return await self.insert_new(policy_row(policy))

    async def replace(self, row: AreaExitPolicyRow, policy: rules.AreaExitPolicy) -> None:
        await self.update(row, source=policy.source, criteria=criteria_json(policy.criteria))


class AreaExitRequestRepository(Repository[AreaExitRequest]):
    model = AreaExitRequest

    async def for_area(self, area_code: str) -> list[AreaExitRequest]:
        order = [AreaExitRequest.requested_on, AreaExitRequest.id]
        return await self.filtered(AreaExitRequest.area_code == area_code, order_by=order)

    async def open_or_exited(self, area_code: str) -> AreaExitRequest | None:
        """The request that blocks a new one: one waiting for its sign-off, or the exit itself."""
        stmt = select(AreaExitRequest).where(
            AreaExitRequest.area_code == area_code, AreaExitRequest.status.in_(("pending", "verified"))
        )
        return (await self.session.execute(stmt.limit(1))).scalar_one_or_none()

    async def page(
        self,
        *,
        prefix: str,
        kind: str | None,
        status: str | None,
        year: int | None,
        cursor: str | None,
        limit: int,
    ) -> Slice[AreaExitRequest]:
        stmt = select(AreaExitRequest).where(AreaExitRequest.area_code.startswith(prefix, autoescape=True))
        if kind:
            stmt = stmt.where(AreaExitRequest.kind == kind)
        if status:
            stmt = stmt.where(AreaExitRequest.status == status)
        if year is not None:
            stmt = stmt.where(AreaExitRequest.year == year)
        key = (AreaExitRequest.area_code, AreaExitRequest.id)
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit)

    async def exited_by_year(self, prefix: str) -> dict[str, dict[str, int]]:
        """kind -> {year: areas under ``prefix`` that exited in that (assessed) year}."""
        found: dict[str, dict[str, int]] = {"village": {}, "county": {}}
        for kind, year, n in await read_rows(self.session, EXITED_BY_YEAR, {"pattern": like_prefix(prefix)}):
            found.setdefault(kind, {})[str(year)] = int(n)
        return found

    async def poor_persons(self, prefix: str) -> int:
        """Persons of the households still poor under ``prefix``, from the maintained counters."""
        stmt = select(func.coalesce(func.sum(RollupCounter.persons), 0)).where(
            RollupCounter.area_prefix == prefix,
            RollupCounter.dimension == "status",
            RollupCounter.key.in_([s.value for s in POOR_STATUSES]),
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def collective_income(self, area_code: str, year: int) -> int | None:
        stmt = select(AreaIncome.collective_income_fen).where(
            AreaIncome.area_code == area_code, AreaIncome.year == year
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
