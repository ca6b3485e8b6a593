"""All SQL of the DCI registry API."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from services.registry.dci.models import DciClient, DciNotification, DciSubscription, DciTransaction
from services.registry.dci.rules import Criteria
from services.registry.models import Household, Member
from services.registry.snapshot.repository import HOUSEHOLD_FIELDS
from shared.pii import mask_name
from shared.repository import Repository

_HOUSEHOLD: tuple[Any, ...] = (Household.id.label("household_id"), *HOUSEHOLD_FIELDS, Household.head_name)
_SORT_COLUMNS = {
    "area_code": Household.area_code,
    "year": Household.year,
    "registered_on": Household.registered_on,
    "household_number": Household.household_number,
}


def _household(row: Any) -> dict[str, Any]:
    h = dict(row._mapping)
    h["household_id"] = str(h["household_id"])
    h["head_name_masked"] = mask_name(h.pop("head_name"))
    return h


class DciRepository(Repository[DciTransaction]):
    model = DciTransaction

    # ----------------------------------------------------------------------------- clients

    async def client(self, client_id: str, *, lock: bool = False) -> DciClient | None:
        stmt = select(DciClient).where(DciClient.id == client_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def clients(self) -> list[DciClient]:
        return list((await self.session.execute(select(DciClient).order_by(DciClient.id))).scalars())

    # ------------------------------------------------------------------------ transactions

    async def message_seen(self, client_id: str, message_id: str) -> bool:
        stmt = select(DciTransaction.id).where(
            DciTransaction.client_id == client_id, DciTransaction.message_id == message_id
        )
        return (await self.session.execute(stmt)).first() is not None

    async def transactions(
        self,
        client_id: str,
        *,
        transaction_id: str | None = None,
        correlation_id: str | None = None,
        action: str,
    ) -> list[DciTransaction]:
        stmt = select(DciTransaction).where(
            DciTransaction.client_id == client_id, DciTransaction.action == action
        )
        if transaction_id is not None:
            stmt = stmt.where(DciTransaction.transaction_id == transaction_id)
        if correlation_id is not None:
            stmt = stmt.where(DciTransaction.correlation_id == correlation_id)
        return list((await self.session.execute(stmt.order_by(DciTransaction.created_at))).scalars())

    async def pending_searches(self, limit: int) -> list[DciTransaction]:
        """Asynchronous searches not answered yet, locked (another replica skips them)."""
        stmt = (
            select(DciTransaction)
            .where(DciTransaction.status == "pdng", DciTransaction.action == "search")
            .order_by(DciTransaction.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def clients_with_callbacks(self, now: datetime) -> list[str]:
        due = or_(DciTransaction.next_attempt_at.is_(None), DciTransaction.next_attempt_at <= now)
        searches = select(DciTransaction.client_id).where(DciTransaction.callback_state == "pending", due)
        ndue = or_(DciNotification.next_attempt_at.is_(None), DciNotification.next_attempt_at <= now)
        notes = select(DciNotification.client_id).where(DciNotification.delivered_at.is_(None), ndue)
        rows = await self.session.execute(searches.union(notes))
        return sorted(r[0] for r in rows)

    async def callbacks_due(self, client_id: str, now: datetime) -> list[DciTransaction]:
        stmt = (
            select(DciTransaction)
            .where(
                DciTransaction.client_id == client_id,
                DciTransaction.callback_state == "pending",
                or_(DciTransaction.next_attempt_at.is_(None), DciTransaction.next_attempt_at <= now),
            )
            .order_by(DciTransaction.completed_at)
        )
        return list((await self.session.execute(stmt)).scalars())

    # ----------------------------------------------------------------------------- searches

    async def person(self, resident_id_hash: str, prefix: str) -> list[tuple[Member, dict[str, Any]]]:
        """The membership holding this person (one at most), if its household lies in the area."""
        stmt = (
            select(Member, *_HOUSEHOLD)
            .join(Household, Household.id == Member.household_id)
            .where(
                Member.resident_id_hash == resident_id_hash,
                Member.holds_identity,
                Household.area_code.startswith(prefix, autoescape=True),
            )
        )
        out = []
        for row in (await self.session.execute(stmt)).all():
            member = row[0]
            out.append((member, _household(row)))
        return out

    def _households(self, c: Criteria, prefix: str) -> Select[Any]:
        stmt: Select[Any] = select(*_HOUSEHOLD).where(Household.area_code.startswith(prefix, autoescape=True))
        if c.statuses:
            stmt = stmt.where(Household.status.in_(c.statuses))
        if c.batch is not None:
            stmt = stmt.where(Household.batches.contains([c.batch]))
        if c.cause is not None:
            stmt = stmt.where(Household.poverty_causes.contains([c.cause]))
        if c.year_min is not None:
            stmt = stmt.where(Household.year >= c.year_min)
        if c.year_max is not None:
            stmt = stmt.where(Household.year <= c.year_max)
        return stmt

    async def households(self, c: Criteria, prefix: str) -> tuple[list[dict[str, Any]], int]:
        """One page of households matching, and how many match in all."""
        base = self._households(c, prefix)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        order = [
            (_SORT_COLUMNS[name].desc() if direction == "desc" else _SORT_COLUMNS[name].asc()).nulls_last()
            for name, direction in c.sort
        ]
        stmt = (
            base.order_by(*order, Household.id).limit(c.page_size).offset((c.page_number - 1) * c.page_size)
        )
        return [_household(r) for r in (await self.session.execute(stmt)).all()], int(total)

    async def members_of(self, household_ids: Sequence[str]) -> dict[str, list[Member]]:
        if not household_ids:
            return {}
        ids = [uuid.UUID(i) for i in household_ids]
        stmt = (
            select(Member)
            .where(Member.household_id.in_(ids), Member.active)
            .order_by(Member.household_id, Member.id)
        )
        out: dict[str, list[Member]] = {}
        for m in (await self.session.execute(stmt)).scalars():
            out.setdefault(str(m.household_id), []).append(m)
        return out

    async def household(self, household_id: str) -> dict[str, Any] | None:
        stmt = select(*_HOUSEHOLD).where(Household.id == uuid.UUID(household_id))
        row = (await self.session.execute(stmt)).first()
        return _household(row) if row else None

    # ------------------------------------------------------------------------ subscriptions

    async def subscription(self, code: str, *, lock: bool = False) -> DciSubscription | None:
        stmt = select(DciSubscription).where(DciSubscription.code == code)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def live_subscription(self, client_id: str, kind: str, area_code: str) -> DciSubscription | None:
        stmt = select(DciSubscription).where(
            DciSubscription.client_id == client_id,
            DciSubscription.event_kind == kind,
            DciSubscription.area_code == area_code,
            DciSubscription.active,
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def listeners(self, kind: str, since: datetime) -> list[tuple[DciSubscription, DciClient]]:
        """Live subscriptions to this kind of event made before it happened, with their clients."""
        stmt = (
            select(DciSubscription, DciClient)
            .join(DciClient, DciClient.id == DciSubscription.client_id)
            .where(
                DciSubscription.event_kind == kind,
                DciSubscription.active,
                DciClient.active,
                DciSubscription.created_at <= since,
            )
            .order_by(DciSubscription.code)
        )
        return [(s, c) for s, c in (await self.session.execute(stmt)).all()]

    # ------------------------------------------------------------------------ notifications

    async def add_notification(self, values: dict[str, Any]) -> None:
        await self.session.execute(
            insert(DciNotification)
            .values(**values)
            .on_conflict_do_nothing(constraint="uq_dci_notification_event")
        )

    async def notifications_due(self, client_id: str, now: datetime, limit: int) -> list[DciNotification]:
        """The client's undelivered notifications from the oldest, if the oldest is due (in order:
        nothing later goes before it)."""
        stmt = (
            select(DciNotification)
            .where(DciNotification.client_id == client_id, DciNotification.delivered_at.is_(None))
            .order_by(DciNotification.id)
            .limit(limit)
        )
        rows = list((await self.session.execute(stmt)).scalars())
        if rows and rows[0].next_attempt_at is not None and rows[0].next_attempt_at > now:
            return []
        return rows

    async def mark_notifications(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        await self.session.execute(
            update(DciNotification).where(DciNotification.id.in_(list(ids))).values(**values)
        )

    async def unsubscribe_all_of(self, client_id: str, now: datetime) -> None:
        await self.session.execute(
            update(DciSubscription)
            .where(and_(DciSubscription.client_id == client_id, DciSubscription.active))
            .values(active=False, ended_at=now)
        )
