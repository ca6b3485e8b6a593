"""All SQL of inspections."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.dialects.postgresql import array

from services.inspection.models import Inspection
from shared.areas import AreaCode
from shared.repository import Repository, Slice


def visible_in(area_code: str) -> ColumnElement[bool]:
    """Inspections an office may see: its own and those of offices below it; and announced or
    concluded ones that target its subtree or an area above it (an unannounced visit stays hidden
    from the inspected until it concludes: the SQL form of rules.visible_to_inspected)."""
    area = AreaCode.parse(area_code)
    inside_me = func.array_to_string(Inspection.target_prefixes, ",").op("~")(rf"(^|,){area.prefix}")
    above_me = Inspection.target_prefixes.overlap(array([a.prefix for a in area.ancestors()]))
    return or_(
        Inspection.area_code.startswith(area.prefix),
        and_(or_(inside_me, above_me), or_(Inspection.kind == "announced", Inspection.status == "concluded")),
    )


class InspectionRepository(Repository[Inspection]):
    model = Inspection

    async def visible(
        self, inspection_id: uuid.UUID, area_code: str, *, lock: bool = False
    ) -> Inspection | None:
        stmt = select(Inspection).where(Inspection.id == inspection_id, visible_in(area_code))
        return await self.session.scalar(stmt.with_for_update() if lock else stmt)

    async def page(self, *, area_code: str, cursor: str | None, limit: int) -> Slice[Inspection]:
        stmt = select(Inspection).where(visible_in(area_code))
        return await self.keyset(stmt, key=(Inspection.created_at, Inspection.id), cursor=cursor, limit=limit)

    async def in_month(self, area_code: str, start: date, end: date) -> list[Inspection]:
        """Inspections of the subtree that ran (at least partly) within [start, end)."""
        stmt = select(Inspection).where(
            visible_in(area_code), Inspection.starts_on < end, Inspection.ends_on >= start
        )
        return list(await self.session.scalars(stmt.order_by(Inspection.starts_on, Inspection.id)))
