"""All SQL of the household timeline: the registry's audit records of a household, and the
projection of other services' events (household_timeline_entry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from services.registry.models import HouseholdTimelineEntry
from shared.bulk import unnest_insert
from shared.repository import Repository
from shared.tables import audit_log


class TimelineRepository(Repository[HouseholdTimelineEntry]):
    model = HouseholdTimelineEntry

    async def audit_steps(self, household_id: str) -> list[Any]:
        stmt = (
            select(audit_log.c.id, audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.after)
            .where(and_(audit_log.c.entity_type == "household", audit_log.c.entity_id == household_id))
            .order_by(audit_log.c.id)
        )
        return list(await self.session.execute(stmt))

    async def learned(self, household_id: str) -> list[HouseholdTimelineEntry]:
        order = [HouseholdTimelineEntry.occurred_at, HouseholdTimelineEntry.event_id]
        return await self.filtered(HouseholdTimelineEntry.household_id == household_id, order_by=order)

    async def lock_refs(self, refs: list[str]) -> None:
        """Serialize the events that name each other (a finding and its signal may be handled at
        the same moment by the consumers of two streams): a transaction-scoped advisory lock per
        ref, taken in one order. An entry is written under the lock of the ref it names, and the
        entries naming a ref are traced under that ref's lock (``trace``), so one of the two waits
        for the other's commit and reads what it wrote."""
        keys = [f"timeline:{ref}" for ref in sorted(set(refs))]
        if keys:  # one statement: unnest hands the keys over in the array's (sorted) order
            await self.session.execute(
                text(
                    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7)))"
                    " FROM unnest(CAST(:ks AS text[])) AS k"
                ),
                {"ks": keys},
            )

    async def household_of(self, ref: str) -> tuple[str | None, str | None]:
        """(household, area) of the entry later events name by ``ref``."""
        stmt = (
            select(HouseholdTimelineEntry.household_id, HouseholdTimelineEntry.area_code)
            .where(HouseholdTimelineEntry.ref == ref, HouseholdTimelineEntry.household_id.is_not(None))
            .limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        return (row[0], row[1]) if row else (None, None)

    async def add_entry(
        self,
        *,
        event_id: str,
        household_id: str | None,
        area_code: str | None,
        occurred_at: datetime,
        source: str,
        kind: str,
        actor: str | None,
        ref: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Insert once: the event id is the key (the inbox already skips redeliveries; this keeps
        a replayed stream harmless too)."""
        await self.session.execute(
            insert(HouseholdTimelineEntry)
            .values(
                event_id=event_id,
                household_id=household_id,
                area_code=area_code,
                occurred_at=occurred_at,
                source=source,
                kind=kind,
                actor=actor,
                ref=ref,
                detail=detail,
            )
            .on_conflict_do_nothing(index_elements=[HouseholdTimelineEntry.event_id])
        )

    async def add_entries(self, rows: Sequence[dict[str, Any]]) -> None:
        """``add_entry`` for many, one INSERT."""
        if rows:
            stmt, params = unnest_insert(cast(Table, HouseholdTimelineEntry.__table__), rows)
            await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["event_id"]), params)

    async def trace_many(self, found: Sequence[tuple[str, str, str | None]]) -> None:
        """``trace`` for many ``(ref, household, area)`` at once: one UPDATE per generation of
        entries that name each other, whatever the number of refs (each generation's refs locked
        before the next, as in ``trace``)."""
        pending = list(found)
        while pending:
            result = await self.session.execute(
                text(
                    "UPDATE household_timeline_entry e"
                    " SET household_id = m.h, area_code = coalesce(e.area_code, m.a)"
                    " FROM unnest(CAST(:refs AS text[]), CAST(:hs AS text[]), CAST(:areas AS text[]))"
                    " AS m(r, h, a) "
                    "WHERE e.household_id IS NULL AND e.detail ->> 'via_ref' = m.r "
                    "RETURNING e.ref, m.h, m.a"
                ),
                {
                    "refs": [r for r, _, _ in pending],
                    "hs": [h for _, h, _ in pending],
                    "areas": [a for _, _, a in pending],
                },
            )
            pending = [(r, h, a) for r, h, a in result.all() if r]
            await self.lock_refs([r for r, _, _ in pending])

    async def trace(self, via_ref: str, household_id: str, area_code: str | None) -> None:
        """Entries that arrived before the one naming their household (a finding raised before its
        signal reached the registry, its rectification before the finding) get the household once
        it is known, and so do the entries that name those in turn.

        Each generation's refs are locked before the entries naming them are looked for: the
        caller locked ``via_ref``, but not the refs of the entries this traces (a finding's, found
        through its signal). Without that lock, a rectification applied at the same moment read
        its finding before the household reached it, this looked for the rectification before it
        was committed, and it was never traced. The locks come in generation order, not sorted:
        a rare deadlock with another transaction is broken by PostgreSQL and the consumer retries."""
        refs = [via_ref]
        while refs:
            result = await self.session.execute(
                update(HouseholdTimelineEntry)
                .where(HouseholdTimelineEntry.household_id.is_(None))
                .where(HouseholdTimelineEntry.detail["via_ref"].astext.in_(refs))
                .values(
                    household_id=household_id,
                    area_code=func.coalesce(HouseholdTimelineEntry.area_code, area_code),
                )
                .returning(HouseholdTimelineEntry.ref)
            )
            refs = [r for r in result.scalars() if r]
            await self.lock_refs(refs)
