"""All SQL of the monthly bulletin (reads only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.inspection.models import AccountabilityRecord, AreaRef, Finding
from shared.repository import Repository


class BulletinRepository(Repository[Finding]):
    model = Finding

    async def findings_raised(self, prefix: str, start: date, end: date) -> list[Finding]:
        stmt = select(Finding).where(
            Finding.area_code.startswith(prefix), Finding.raised_on >= start, Finding.raised_on < end
        )
        return list(await self.session.scalars(stmt.order_by(Finding.raised_on, Finding.id)))

    async def findings_verified(self, prefix: str, start: date, end: date) -> list[Finding]:
        stmt = select(Finding).where(
            Finding.area_code.startswith(prefix), Finding.verified_on >= start, Finding.verified_on < end
        )
        return list(await self.session.scalars(stmt.order_by(Finding.verified_on, Finding.id)))

    async def unverified_due_before(self, prefix: str, end: date) -> list[Finding]:
        stmt = select(Finding).where(
            Finding.area_code.startswith(prefix), Finding.status != "verified", Finding.deadline < end
        )
        return list(await self.session.scalars(stmt.order_by(Finding.deadline, Finding.id)))

    async def accountability(self, prefix: str, start: date, end: date) -> list[AccountabilityRecord]:
        stmt = select(AccountabilityRecord).where(
            AccountabilityRecord.area_code.startswith(prefix),
            AccountabilityRecord.issued_on >= start,
            AccountabilityRecord.issued_on < end,
        )
        return list(
            await self.session.scalars(stmt.order_by(AccountabilityRecord.issued_on, AccountabilityRecord.id))
        )

    async def area_name(self, code: str) -> str | None:
        """The area's name as the registry told us (the projection), if it did."""
        return await self.session.scalar(select(AreaRef.name).where(AreaRef.code == code))
