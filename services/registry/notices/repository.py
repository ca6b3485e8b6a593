from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import Select, func, select, tuple_

from services.registry.models import Area, Household, LateEntry, Objection, PolicyRecordRow
from services.registry.vocabulary import HouseholdStatus as S
from shared.repository import Repository

After = tuple[str, uuid.UUID] | None
_CLOSED = (S.REJECTED.value, S.REMOVED.value)  # withdrawn notices are not shown


class NoticeRepository(Repository[Household]):
    """The boards page by hand: each kind of notice is scanned in (area_code, id) order and filtered
    by its policy's window in Python, so a page may take several chunks (notices.service)."""

    model = Household

    async def area(self, code: str) -> Area | None:
        return await self.session.get(Area, code)

    async def names(self, codes: Collection[str]) -> dict[str, str]:
        if not codes:
            return {}
        rows = await self.session.execute(select(Area.code, Area.name).where(Area.code.in_(list(codes))))
        return {code: name for code, name in rows.all()}

    async def longest_notice_days(self) -> int:
        """The longest notice_min_days of any policy record (+1 for a record read 超过, strictly
        more days): bounds the identification scan."""
        days = (await self.session.execute(select(func.max(PolicyRecordRow.notice_min_days)))).scalar()
        return int(days or 0) + 1

    async def identification(
        self, prefix: str, *, after: After, limit: int, started_from: date, today: date, in_notice_only: bool
    ) -> list[Household]:
        """Households whose notice started in [started_from, today]; the exact window is the caller's."""
        stmt = select(Household).where(
            Household.area_code.startswith(prefix, autoescape=True),
            Household.notice_starts_on.is_not(None),
            Household.notice_starts_on.between(started_from, today),
            Household.status.not_in(_CLOSED),
        )
        if in_notice_only:
            stmt = stmt.where(Household.status == S.IN_NOTICE.value)
        return await self._page(stmt, after, limit)

    async def exits(
        self, prefix: str, *, after: After, limit: int, last_day_from: date, last_day_to: date, today: date
    ) -> list[Household]:
        stmt = select(Household).where(
            Household.area_code.startswith(prefix, autoescape=True),
            Household.status == S.EXITED.value,
            Household.exited_on <= today,
            Household.exit_notice_until.between(last_day_from, last_day_to),
        )
        return await self._page(stmt, after, limit)

    async def _page(self, stmt: Select[Household], after: After, limit: int) -> list[Household]:
        if after is not None:
            stmt = stmt.where(tuple_(Household.area_code, Household.id) > tuple_(*after))
        stmt = stmt.order_by(Household.area_code, Household.id).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def open_objections(self, household_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not household_ids:
            return {}
        rows = await self.session.execute(
            select(Objection.household_id, func.count())
            .where(Objection.household_id.in_(list(household_ids)), Objection.status == "open")
            .group_by(Objection.household_id)
        )
        return {hid: int(n) for hid, n in rows.all()}

    async def late_entries(self, household_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[LateEntry]]:
        if not household_ids:
            return {}
        rows = await self.session.execute(
            select(LateEntry).where(LateEntry.household_id.in_(list(household_ids))).order_by(LateEntry.id)
        )
        found: dict[uuid.UUID, list[LateEntry]] = {}
        for row in rows.scalars():
            found.setdefault(row.household_id, []).append(row)
        return found
