"""All SQL of findings, rectifications and accountability records."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, not_, select, tuple_

from services.inspection.models import AccountabilityRecord, Finding, HouseholdRef, Rectification
from shared.repository import Repository, Slice


def _about_other_households(own: set[str]) -> ColumnElement[bool]:
    """The finding names a household (its signal's key holds the id) that is not one of ``own``."""
    return exists(
        select(HouseholdRef.household_id).where(
            Finding.source_key.contains(HouseholdRef.household_id),
            HouseholdRef.household_id.not_in(own),
        )
    )


class FindingRepository(Repository[Finding]):
    model = Finding
    unique_key = ("source_key",)  # add_once: one finding per signal
    page_key = ("created_at", "id")

    async def about_other_households(self, finding_id: uuid.UUID, own: set[str]) -> bool:
        stmt = select(Finding.id).where(Finding.id == finding_id, _about_other_households(own))
        return (await self.session.execute(stmt)).first() is not None

    async def add_from_signal(self, finding: Finding) -> bool:
        """Insert unless a finding for the same signal exists; True when this call created it."""
        return await self.add_once(finding)

    async def by_source_key(self, source_key: str) -> Finding:
        return (await self.session.scalars(select(Finding).where(Finding.source_key == source_key))).one()

    async def page(
        self,
        *,
        prefix: str,
        status: str | None,
        inspection_id: uuid.UUID | None,
        cursor: str | None,
        limit: int,
        late_on: date | None = None,
        households: set[str] | None = None,
    ) -> Slice[Finding]:
        where: list[ColumnElement[bool]] = []
        if households is not None:  # a cadre: not the findings on households paired to others
            where.append(not_(_about_other_households(households)))
        if late_on:  # the SQL form of rules.is_overdue
            on_time_report = and_(Finding.status == "submitted", Finding.submitted_on <= Finding.deadline)
            where += [Finding.status != "verified", Finding.deadline < late_on, not_(on_time_report)]
        return await self.area_page(prefix, cursor, limit, *where, status=status, inspection_id=inspection_id)

    async def overdue_candidates(
        self, today: date, after: tuple[date, uuid.UUID] | None, batch: int
    ) -> list[Finding]:
        """Unverified findings past their deadline, in (deadline, id) order after ``after``;
        replicas skip rows another one holds."""
        stmt = select(Finding).where(Finding.status != "verified", Finding.deadline < today)
        if after:
            stmt = stmt.where(tuple_(Finding.deadline, Finding.id) > after)
        stmt = stmt.order_by(Finding.deadline, Finding.id).limit(batch).with_for_update(skip_locked=True)
        return list(await self.session.scalars(stmt))

    async def add_rectification(self, rectification: Rectification) -> None:
        self.session.add(rectification)
        await self.session.flush()

    async def rectifications(self, finding_id: uuid.UUID) -> list[Rectification]:
        return await RectificationRepository(self.session).filtered(
            Rectification.finding_id == finding_id, order_by=[Rectification.created_at]
        )

    async def pending_rectification(self, finding_id: uuid.UUID) -> Rectification | None:
        stmt = select(Rectification).where(
            Rectification.finding_id == finding_id, Rectification.outcome == "pending"
        )
        return await self.session.scalar(stmt)


class RectificationRepository(Repository[Rectification]):
    model = Rectification


class AccountabilityRepository(Repository[AccountabilityRecord]):
    model = AccountabilityRecord
    page_key = ("created_at", "id")
    unique_key = ("origin", "kind", "subject")  # add_once: a record already made is not made twice

    async def kinds_for_finding(self, finding_id: uuid.UUID) -> frozenset[str]:
        rows = await self.session.scalars(
            select(AccountabilityRecord.kind).where(AccountabilityRecord.finding_id == finding_id)
        )
        return frozenset(rows)

    async def for_finding(self, finding_id: uuid.UUID) -> list[AccountabilityRecord]:
        return await self.filtered(
            AccountabilityRecord.finding_id == finding_id, order_by=[AccountabilityRecord.created_at]
        )

    async def page(
        self, *, prefix: str, kind: str | None, cursor: str | None, limit: int
    ) -> Slice[AccountabilityRecord]:
        return await self.area_page(prefix, cursor, limit, kind=kind)
