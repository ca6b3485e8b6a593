"""All SQL of inspections."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_

from services.inspection.models import Inspection
from shared.repository import Repository


def visible_in(prefix: str) -> ColumnElement[bool]:
    """Inspections an office may see: its own and those above it, and announced or concluded
    ones that target its subtree (an unannounced visit stays hidden until it concludes)."""
    targets_me = func.array_to_string(Inspection.target_areas, ",").op("~")(rf"(^|,){prefix}")
    return or_(
        Inspection.area_code.startswith(prefix),
        and_(targets_me, or_(Inspection.kind == "announced", Inspection.status == "concluded")),
    )


class InspectionRepository(Repository):
    async def add(self, inspection: Inspection) -> Inspection:
        self.session.add(inspection)
        await self.session.flush()
        return inspection

    async def get(self, inspection_id: uuid.UUID, prefix: str, *, lock: bool = False) -> Inspection | None:
        stmt = select(Inspection).where(Inspection.id == inspection_id, visible_in(prefix))
        return await self.session.scalar(stmt.with_for_update() if lock else stmt)

    async def page(
        self, *, prefix: str, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Inspection]:
        stmt = select(Inspection).where(visible_in(prefix))
        if after:
            stmt = stmt.where(tuple_(Inspection.created_at, Inspection.id) > after)
        return list(
            await self.session.scalars(stmt.order_by(Inspection.created_at, Inspection.id).limit(limit))
        )

    async def in_month(self, prefix: str, start: date, end: date) -> list[Inspection]:
        """Inspections of the subtree that ran (at least partly) within [start, end)."""
        stmt = select(Inspection).where(
            visible_in(prefix), Inspection.starts_on < end, Inspection.ends_on >= start
        )
        return list(await self.session.scalars(stmt.order_by(Inspection.starts_on, Inspection.id)))
