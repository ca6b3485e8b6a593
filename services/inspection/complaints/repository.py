"""All SQL of complaints."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.inspection.models import Complaint
from shared.repository import Repository, Slice


class ComplaintRepository(Repository[Complaint]):
    model = Complaint
    page_key = ("created_at", "id")

    async def page(
        self, *, prefix: str, status: str | None, cursor: str | None, limit: int
    ) -> Slice[Complaint]:
        return await self.area_page(prefix, cursor, limit, status=status)

    async def received_between(self, prefix: str, since: date | None, until: date | None) -> list[Complaint]:
        stmt = select(Complaint).where(Complaint.area_code.startswith(prefix))
        if since:
            stmt = stmt.where(Complaint.received_on >= since)
        if until:
            stmt = stmt.where(Complaint.received_on <= until)
        return list(await self.session.scalars(stmt))
