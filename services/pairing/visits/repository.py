"""All SQL about visits and ledger entries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select

from services.pairing.models import LedgerEntry, Pairing, Visit
from shared.repository import Repository, Slice


class VisitRepository(Repository[Visit]):
    model = Visit

    async def spans(self, *, helper_id: uuid.UUID, household_id: uuid.UUID) -> list[tuple[date, date | None]]:
        """When this helper was paired with the household (any kind: cadre, leader 包户, doctor,
        10+1 team), ended or not."""
        stmt = select(Pairing.started_on, Pairing.ended_on).where(
            Pairing.helper_id == helper_id, Pairing.target_id == str(household_id)
        )
        return [(a, b) for a, b in (await self.session.execute(stmt)).all()]

    async def visits_of(self, household_id: uuid.UUID, *, cursor: str | None, limit: int) -> Slice[Visit]:
        """Newest visit first; keyset on (visited_on, id)."""
        stmt = select(Visit).where(Visit.household_id == household_id)
        return await self.keyset(
            stmt, key=(Visit.visited_on, Visit.id), cursor=cursor, limit=limit, descending=True
        )

    async def last_visits(self, household_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, date]:
        stmt = (
            select(Visit.household_id, func.max(Visit.visited_on))
            .where(Visit.household_id.in_(list(household_ids)))
            .group_by(Visit.household_id)
        )
        return {h: d for h, d in (await self.session.execute(stmt)).all()}

    async def visit_dates_of_helper(self, helper_id: uuid.UUID, *, since: date) -> list[date]:
        stmt = select(Visit.visited_on).where(Visit.helper_id == helper_id, Visit.visited_on >= since)
        return list((await self.session.execute(stmt)).scalars())


class LedgerRepository(Repository[LedgerEntry]):
    model = LedgerEntry

    async def ledger_of(
        self, household_id: uuid.UUID, *, ledger: str | None, cursor: str | None, limit: int
    ) -> Slice[LedgerEntry]:
        """Oldest entry first; keyset on (entry_on, id)."""
        stmt = select(LedgerEntry).where(LedgerEntry.household_id == household_id)
        if ledger:
            stmt = stmt.where(LedgerEntry.ledger == ledger)
        return await self.keyset(stmt, key=(LedgerEntry.entry_on, LedgerEntry.id), cursor=cursor, limit=limit)
