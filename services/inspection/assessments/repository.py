"""All SQL of the yearly assessment: the projections' numbers for one area and year."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import InstrumentedAttribute

from services.inspection.models import (
    AreaRef,
    AssessmentResult,
    DisbursementRef,
    EvaluationItem,
    EvaluationOmission,
    EvaluationSample,
    Finding,
    FundPlanRef,
    HouseholdRef,
    PairingRef,
    ReductionTarget,
    VisitRef,
)
from services.inspection.projections.repository import IN_ROLL, needs_a_cadre
from shared.clock import clock
from shared.repository import Repository, Slice


def _year(
    column: InstrumentedAttribute[date] | InstrumentedAttribute[date | None], year: int
) -> ColumnElement[bool]:
    return and_(column >= date(year, 1, 1), column < date(year + 1, 1, 1))


class AssessmentRepository(Repository[AssessmentResult]):
    model = AssessmentResult
    page_key = ("created_at", "id")

    async def _scalar(self, stmt: Select[Any]) -> int:
        return int((await self.session.execute(stmt)).scalar_one_or_none() or 0)

    async def target(self, area_code: str, year: int, *, lock: bool = False) -> ReductionTarget | None:
        # lock: a change holds the row from its If-Match check to its write
        return await self.session.get(
            ReductionTarget, (area_code, year), with_for_update=lock, populate_existing=lock
        )

    async def add_target(self, area_code: str, year: int, people: int, set_by: str) -> ReductionTarget | None:
        """Insert a new target; None if a concurrent request created it first."""
        stmt = (
            insert(ReductionTarget)
            .values(area_code=area_code, year=year, people=people, set_by=set_by, version=1)
            .on_conflict_do_nothing(index_elements=["area_code", "year"])
            .returning(ReductionTarget)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def rural_population(self, area_code: str) -> int:
        return await self._scalar(select(AreaRef.rural_population).where(AreaRef.code == area_code))

    async def exited_people(self, prefix: str, year: int) -> int:
        return await self._scalar(
            select(func.sum(HouseholdRef.member_count)).where(
                HouseholdRef.area_code.startswith(prefix),
                HouseholdRef.status == "exited",
                _year(HouseholdRef.exited_on, year),
            )
        )

    async def poor_population(self, prefix: str) -> int:
        return await self._scalar(
            select(func.sum(HouseholdRef.member_count)).where(
                HouseholdRef.area_code.startswith(prefix), HouseholdRef.status.in_(IN_ROLL)
            )
        )

    async def money(self, prefix: str, year: int) -> tuple[int, int]:
        planned = await self._scalar(
            select(func.sum(FundPlanRef.total_fen)).where(
                FundPlanRef.area_code.startswith(prefix), FundPlanRef.year == year
            )
        )
        disbursed = await self._scalar(
            select(func.sum(DisbursementRef.amount_fen)).where(
                DisbursementRef.area_code.startswith(prefix), DisbursementRef.year == year
            )
        )
        return planned, disbursed

    async def households(self, prefix: str, year: int, pairing_kind: str) -> tuple[int, int, int]:
        """(households that must have a cadre — in the roll, or exited and still keeping their
        policies today —, of them with an open cadre pairing, of them visited this year)."""
        roll = select(HouseholdRef.household_id).where(
            HouseholdRef.area_code.startswith(prefix), needs_a_cadre(clock.today())
        )
        paired = exists().where(
            PairingRef.target_id == HouseholdRef.household_id,
            PairingRef.kind == pairing_kind,
            PairingRef.is_open,
        )
        visited = exists().where(
            VisitRef.household_id == HouseholdRef.household_id, _year(VisitRef.visited_on, year)
        )
        total = await self._scalar(select(func.count()).select_from(roll.subquery()))
        n_paired = await self._scalar(select(func.count()).select_from(roll.where(paired).subquery()))
        n_visited = await self._scalar(select(func.count()).select_from(roll.where(visited).subquery()))
        return total, n_paired, n_visited

    async def rectification(self, prefix: str, year: int, today: date) -> tuple[int, int]:
        """(findings due, of those rectified on time): a deadline in the year that has passed, or a
        finding already reported rectified; an open one whose deadline is still ahead is not late."""
        due = select(Finding.id).where(
            Finding.area_code.startswith(prefix),
            _year(Finding.deadline, year),
            or_(Finding.deadline < today, Finding.status != "open"),
        )
        on_time = due.where(Finding.status != "open", Finding.submitted_on <= Finding.deadline)
        return (
            await self._scalar(select(func.count()).select_from(due.subquery())),
            await self._scalar(select(func.count()).select_from(on_time.subquery())),
        )

    async def third_party(self, prefix: str, year: int) -> tuple[int, int]:
        """(households checked, errors: wrongly exited + wrongly left out) in this year's samples."""
        judged = (
            select(EvaluationItem.verdict)
            .join(EvaluationSample, EvaluationSample.id == EvaluationItem.sample_id)
            .where(
                EvaluationSample.year == year,
                EvaluationItem.village_code.startswith(prefix),
                EvaluationItem.verdict.is_not(None),
            )
        ).subquery()
        checked = await self._scalar(select(func.count()).select_from(judged))
        wrong = await self._scalar(
            select(func.count()).select_from(judged).where(judged.c.verdict == "wrongly_exited")
        )
        left_out = await self._scalar(
            select(func.sum(EvaluationOmission.households))
            .join(EvaluationSample, EvaluationSample.id == EvaluationOmission.sample_id)
            .where(EvaluationSample.year == year, EvaluationOmission.village_code.startswith(prefix))
        )
        return checked, wrong + left_out

    async def village_helpers(self, village_code: str) -> list[str]:
        rows = await self.session.scalars(
            select(PairingRef.helper_id)
            .where(PairingRef.area_code == village_code, PairingRef.is_open, PairingRef.helper_id != "")
            .distinct()
            .order_by(PairingRef.helper_id)
        )
        return list(rows)

    async def unassessed_areas(self, prefix: str, own: str, level: str, year: int, limit: int) -> list[str]:
        """Areas of ``level`` below ``own`` that registry told us about and nobody assessed yet."""
        done = select(AssessmentResult.area_code).where(AssessmentResult.year == year)
        stmt = (
            select(AreaRef.code)
            .where(
                AreaRef.code.startswith(prefix),
                AreaRef.code != own,
                AreaRef.level == level,
                AreaRef.code.not_in(done),
            )
            .order_by(AreaRef.code)
            .limit(limit)
        )
        return list(await self.session.scalars(stmt))

    async def existing(self, area_code: str, year: int) -> AssessmentResult | None:
        return await self.session.scalar(
            select(AssessmentResult).where(
                AssessmentResult.area_code == area_code, AssessmentResult.year == year
            )
        )

    async def page(
        self, prefix: str, year: int | None, cursor: str | None, limit: int
    ) -> Slice[AssessmentResult]:
        return await self.area_page(prefix, cursor, limit, year=year)
