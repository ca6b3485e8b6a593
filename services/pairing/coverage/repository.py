"""All SQL behind coverage checks and their gaps."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select, text

from services.pairing.models import AreaRef, CoverageGap, Helper, HouseholdRef, Pairing
from shared.repository import Repository

_CHECK_LOCK = 7_146_503  # one coverage check at a time, so a gap is never opened twice


class CoverageRepository(Repository):
    async def lock(self) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHECK_LOCK})

    async def households(self, prefix: str) -> list[HouseholdRef]:
        stmt = select(HouseholdRef).where(
            HouseholdRef.area_code.startswith(prefix),
            HouseholdRef.status.in_(["registered", "exit_requested", "exited"]),
        )
        return list((await self.session.execute(stmt.order_by(HouseholdRef.id))).scalars())

    async def cadre_since(self, prefix: str) -> dict[str, date]:
        """Household id -> start of its active in-system cadre pairing."""
        stmt = select(Pairing.target_id, Pairing.started_on).where(
            Pairing.area_code.startswith(prefix),
            Pairing.kind == "cadre_household",
            Pairing.ended_on.is_(None),
        )
        return {t: d for t, d in (await self.session.execute(stmt)).all()}

    async def village_kinds(self, prefix: str) -> dict[str, set[str]]:
        """Village code -> kinds of its active village pairings."""
        stmt = select(Pairing.target_id, Pairing.kind).where(
            Pairing.area_code.startswith(prefix),
            Pairing.kind.in_(["work_team_village", "first_secretary_village"]),
            Pairing.ended_on.is_(None),
        )
        kinds: dict[str, set[str]] = {}
        for target, kind in (await self.session.execute(stmt)).all():
            kinds.setdefault(target, set()).add(kind)
        return kinds

    async def poor_villages(self, prefix: str) -> list[AreaRef]:
        stmt = select(AreaRef).where(
            AreaRef.code.startswith(prefix), AreaRef.level == "village", AreaRef.poor_village.is_(True)
        )
        return list((await self.session.execute(stmt.order_by(AreaRef.code))).scalars())

    async def cadre_loads(self, prefix: str, kinds: list[str]) -> list[tuple[Helper, int]]:
        count = (
            select(func.count())
            .where(
                Pairing.helper_id == Helper.id, Pairing.kind == "cadre_household", Pairing.ended_on.is_(None)
            )
            .scalar_subquery()
        )
        stmt = select(Helper, count).where(
            Helper.area_code.startswith(prefix), Helper.kind.in_(kinds), Helper.active.is_(True)
        )
        return [(h, int(n)) for h, n in (await self.session.execute(stmt)).all()]

    async def open_gaps(self, prefix: str) -> list[CoverageGap]:
        stmt = select(CoverageGap).where(
            CoverageGap.area_code.startswith(prefix), CoverageGap.closed_at.is_(None)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def episodes(self, identities: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        if not identities:
            return {}
        subjects = sorted({s for _, s in identities})
        stmt = (
            select(CoverageGap.kind, CoverageGap.subject_id, func.max(CoverageGap.episode))
            .where(CoverageGap.subject_id.in_(subjects))
            .group_by(CoverageGap.kind, CoverageGap.subject_id)
        )
        return {(k, s): int(n) for k, s, n in (await self.session.execute(stmt)).all()}

    async def add(self, gap: CoverageGap) -> None:
        self.session.add(gap)
        await self.session.flush()

    async def close(self, gap: CoverageGap, at: datetime) -> None:
        gap.closed_at = at
        await self.session.flush()

    async def page(
        self, *, prefix: str, open_only: bool, kind: str | None, after: uuid.UUID | None, limit: int
    ) -> list[CoverageGap]:
        stmt = select(CoverageGap).where(CoverageGap.area_code.startswith(prefix)).order_by(CoverageGap.id)
        if open_only:
            stmt = stmt.where(CoverageGap.closed_at.is_(None))
        if kind:
            stmt = stmt.where(CoverageGap.kind == kind)
        if after:
            stmt = stmt.where(CoverageGap.id > after)
        return list((await self.session.execute(stmt.limit(limit))).scalars())
