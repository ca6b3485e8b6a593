"""All SQL about visits and ledger entries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, tuple_

from services.pairing.models import LedgerEntry, Pairing, Visit
from shared.repository import Repository


class VisitRepository(Repository):
    async def visit(self, visit_id: uuid.UUID) -> Visit | None:
        return await self.session.get(Visit, visit_id)

    async def ledger_entry(self, entry_id: uuid.UUID) -> LedgerEntry | None:
        return await self.session.get(LedgerEntry, entry_id)

    async def add(self, row: Visit | LedgerEntry) -> None:
        self.session.add(row)
        await self.session.flush()

    async def spans(self, *, helper_id: uuid.UUID, household_id: uuid.UUID) -> list[tuple[date, date | None]]:
        """When this helper was paired with the household (any kind: cadre, leader 包户, doctor,
        10+1 team), ended or not."""
        stmt = select(Pairing.started_on, Pairing.ended_on).where(
            Pairing.helper_id == helper_id, Pairing.target_id == str(household_id)
        )
        return [(a, b) for a, b in (await self.session.execute(stmt)).all()]

    async def visits_of(self, household_id: uuid.UUID, *, after: uuid.UUID | None, limit: int) -> list[Visit]:
        stmt = select(Visit).where(Visit.household_id == household_id).order_by(Visit.id).limit(limit)
        if after:
            stmt = stmt.where(Visit.id > after)
        return list((await self.session.execute(stmt)).scalars())

    async def ledger_of(
        self, household_id: uuid.UUID, *, ledger: str | None, after: tuple[date, uuid.UUID] | None, limit: int
    ) -> list[LedgerEntry]:
        """Oldest entry first; keyset on (entry_on, id)."""
        stmt = select(LedgerEntry).where(LedgerEntry.household_id == household_id)
        if ledger:
            stmt = stmt.where(LedgerEntry.ledger == ledger)
        if after:
            stmt = stmt.where(tuple_(LedgerEntry.entry_on, LedgerEntry.id) > tuple_(*after))
        stmt = stmt.order_by(LedgerEntry.entry_on, LedgerEntry.id).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

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
