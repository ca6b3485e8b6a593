"""All SQL of complaints."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select, tuple_

from services.inspection.models import Complaint
from shared.repository import Repository


class ComplaintRepository(Repository):
    async def add(self, complaint: Complaint) -> Complaint:
        self.session.add(complaint)
        await self.session.flush()
        return complaint

    async def get(self, complaint_id: uuid.UUID, *, lock: bool = False) -> Complaint | None:
        stmt = select(Complaint).where(Complaint.id == complaint_id)
        return await self.session.scalar(stmt.with_for_update() if lock else stmt)

    async def page(
        self, *, prefix: str, status: str | None, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Complaint]:
        stmt = select(Complaint).where(Complaint.area_code.startswith(prefix))
        if status:
            stmt = stmt.where(Complaint.status == status)
        if after:
            stmt = stmt.where(tuple_(Complaint.created_at, Complaint.id) > after)
        return list(
            await self.session.scalars(stmt.order_by(Complaint.created_at, Complaint.id).limit(limit))
        )

    async def received_between(self, prefix: str, since: date | None, until: date | None) -> list[Complaint]:
        stmt = select(Complaint).where(Complaint.area_code.startswith(prefix))
        if since:
            stmt = stmt.where(Complaint.received_on >= since)
        if until:
            stmt = stmt.where(Complaint.received_on <= until)
        return list(await self.session.scalars(stmt))
