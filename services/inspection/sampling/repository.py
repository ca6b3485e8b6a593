"""All SQL of third-party samples."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import InstrumentedAttribute

from services.inspection.models import (
    AreaExitRef,
    EvaluationItem,
    EvaluationOmission,
    EvaluationSample,
    HouseholdRef,
    SignoffDossier,
)
from shared.repository import Repository, Slice


def _during(day: InstrumentedAttribute[date | None], year: int) -> tuple[ColumnElement[bool], ...]:
    """``day`` falls in ``year`` (a range on the column, so its index serves)."""
    return day >= date(year, 1, 1), day < date(year + 1, 1, 1)


class SampleRepository(Repository[EvaluationSample]):
    model = EvaluationSample

    async def exited_households(self, prefix: str, year: int) -> list[HouseholdRef]:
        stmt = select(HouseholdRef).where(
            HouseholdRef.area_code.startswith(prefix), HouseholdRef.status == "exited"
        )
        return list(await self.session.scalars(stmt.where(*_during(HouseholdRef.exited_on, year))))

    async def exited_villages(self, prefix: str, year: int) -> list[AreaExitRef]:
        stmt = select(AreaExitRef).where(
            AreaExitRef.area_code.startswith(prefix), AreaExitRef.kind == "village"
        )
        return list(await self.session.scalars(stmt.where(*_during(AreaExitRef.exited_on, year))))

    async def open_dossiers(self, prefix: str, year: int, kind: str) -> int:
        """Exit sign-offs of ``kind`` under ``prefix`` for ``year`` still open (the acceptance under way)."""
        stmt = select(func.count()).where(
            SignoffDossier.area_code.startswith(prefix),
            SignoffDossier.kind == kind,
            SignoffDossier.year == year,
            SignoffDossier.status == "open",
        )
        return int(await self.session.scalar(stmt) or 0)

    async def add_with_items(self, sample: EvaluationSample, items: list[EvaluationItem]) -> None:
        self.session.add(sample)
        await self.session.flush()
        self.session.add_all(items)
        await self.session.flush()

    async def page(self, prefix: str, cursor: str | None, limit: int) -> Slice[EvaluationSample]:
        stmt = select(EvaluationSample).where(EvaluationSample.area_code.startswith(prefix))
        key = (EvaluationSample.created_at, EvaluationSample.id)
        return await self.keyset(stmt, key=key, cursor=cursor, limit=limit)

    async def items(self, sample_id: uuid.UUID) -> list[EvaluationItem]:
        stmt = select(EvaluationItem).where(EvaluationItem.sample_id == sample_id).order_by(EvaluationItem.id)
        return list(await self.session.scalars(stmt))

    async def items_of(self, sample_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[EvaluationItem]]:
        found: dict[uuid.UUID, list[EvaluationItem]] = {i: [] for i in sample_ids}
        rows = await self.session.scalars(
            select(EvaluationItem).where(EvaluationItem.sample_id.in_(sample_ids)).order_by(EvaluationItem.id)
        )
        for row in rows:
            found[row.sample_id].append(row)
        return found

    async def item(
        self, sample_id: uuid.UUID, household_id: str | None, *, lock: bool, village_code: str | None = None
    ) -> EvaluationItem | None:
        """A household's item, or (household_id None) a village sample's item for the village."""
        stmt = select(EvaluationItem).where(EvaluationItem.sample_id == sample_id)
        if household_id is not None:
            stmt = stmt.where(EvaluationItem.household_id == household_id)
        else:
            stmt = stmt.where(
                EvaluationItem.household_id.is_(None), EvaluationItem.village_code == village_code
            )
        return await self.session.scalar(stmt.with_for_update() if lock else stmt)

    async def set_omission(
        self, sample_id: uuid.UUID, village_code: str, households: int, note: str | None
    ) -> None:
        stmt = insert(EvaluationOmission).values(
            sample_id=sample_id, village_code=village_code, households=households, note=note
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["sample_id", "village_code"], set_={"households": households, "note": note}
            )
        )

    async def omissions(self, sample_id: uuid.UUID) -> dict[str, int]:
        rows = await self.session.execute(
            select(EvaluationOmission.village_code, EvaluationOmission.households).where(
                EvaluationOmission.sample_id == sample_id
            )
        )
        return {code: n for code, n in rows}
