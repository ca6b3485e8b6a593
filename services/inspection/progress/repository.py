"""All SQL of the quarterly progress report: projections and our own records, grouped by the
child area (the first ``length`` digits of an area code, padded back to 12) of the report's area."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute

from services.inspection.models import (
    AreaRef,
    Complaint,
    DisbursementRef,
    Finding,
    FundPlanRef,
    HouseholdRef,
    PairingRef,
    ProgressReportSubmission,
    ReductionTarget,
    RollMovementRef,
    VisitRef,
)
from services.inspection.progress.rules import SATISFACTION_ANSWERS, SATISFACTION_FIELDS, Period
from services.inspection.projections.repository import needs_a_cadre
from shared.repository import Repository

# A split registers a new household out of members already in the roll: not new poor people.
NOT_NEW_REGISTRATIONS = ("split",)


def _child(column: InstrumentedAttribute[str], length: int) -> ColumnElement[str]:
    return func.rpad(func.left(column, length), 12, "0")


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column <= period.end)


Grouped = dict[str, dict[str, int]]


@dataclass(frozen=True)
class _Sums:
    """One grouped read: ``values`` (counts, sums) of ``model``'s rows under the prefix that meet
    ``where``, per child area, added under ``names``."""

    model: Any
    values: tuple[Any, ...]
    names: tuple[str, ...]
    where: tuple[ColumnElement[bool], ...] = ()


def _flow_sums(period: Period) -> list[_Sums]:
    """What happened in the period: roll movements, money paid, visits, findings, complaints."""
    movement, count = RollMovementRef, func.count()
    new_poor = or_(movement.origin.is_(None), movement.origin.not_in(NOT_NEW_REGISTRATIONS))
    sums = [
        _Sums(
            movement,
            (count, func.sum(movement.persons)),
            (f"households_{kind}", f"persons_{kind}"),
            (movement.kind == kind, _within(movement.happened_on, period))
            + ((new_poor,) if kind == "registered" else ()),
        )
        for kind in ("registered", "exited", "relapsed", "removed")
    ]
    return sums + [
        _Sums(
            DisbursementRef,
            (func.sum(DisbursementRef.amount_fen),),
            ("disbursed_fen",),
            (_within(DisbursementRef.recorded_on, period),),
        ),
        _Sums(
            VisitRef,
            (
                count,
                func.count(func.distinct(VisitRef.household_id)),
                *(count.filter(VisitRef.satisfaction == answer) for answer in SATISFACTION_ANSWERS),
            ),
            ("visits", "households_visited", *SATISFACTION_FIELDS),
            (_within(VisitRef.visited_on, period),),
        ),
        _Sums(Finding, (count,), ("findings_raised",), (_within(Finding.raised_on, period),)),
        _Sums(Finding, (count,), ("findings_rectified",), (_within(Finding.verified_on, period),)),
        _Sums(Complaint, (count,), ("complaints_received",), (_within(Complaint.received_on, period),)),
        _Sums(
            Complaint,
            (count,),
            ("complaints_resolved",),
            (Complaint.status == "resolved", _within(Complaint.resolved_on, period)),
        ),
    ]


def _standing_sums(year: int, as_of: date, pairing_kind: str) -> list[_Sums]:
    """Where the area stands on ``as_of``: the year's plans and payments, households and pairings."""
    paid = DisbursementRef
    paired = exists().where(
        PairingRef.target_id == HouseholdRef.household_id,
        PairingRef.kind == pairing_kind,
        PairingRef.is_open,
    )
    return [
        _Sums(FundPlanRef, (func.sum(FundPlanRef.total_fen),), ("planned_fen",), (FundPlanRef.year == year,)),
        _Sums(
            paid,
            (func.sum(paid.amount_fen),),
            ("plan_year_disbursed_fen",),
            (paid.year == year, paid.recorded_on <= as_of),
        ),
        _Sums(
            HouseholdRef,
            (func.count(), func.count().filter(paired)),
            ("households_in_roll", "households_paired"),
            (needs_a_cadre(as_of),),
        ),
    ]


class ProgressRepository(Repository[ProgressReportSubmission]):
    model = ProgressReportSubmission

    async def _grouped(self, prefix: str, length: int, sums: list[_Sums]) -> Grouped:
        """Each read's rows of (child code, value, ...) added into ``out[child][name]``."""
        out: Grouped = defaultdict(dict)
        for read in sums:
            key = _child(read.model.area_code, length)
            stmt = select(key, *read.values).where(read.model.area_code.startswith(prefix), *read.where)
            for row in await self.session.execute(stmt.group_by(key)):
                for name, value in zip(read.names, row[1:], strict=True):
                    out[row[0]][name] = out[row[0]].get(name, 0) + int(value or 0)
        return out

    async def flows(self, prefix: str, length: int, period: Period) -> Grouped:
        return await self._grouped(prefix, length, _flow_sums(period))

    async def standing(self, prefix: str, length: int, year: int, as_of: date, pairing_kind: str) -> Grouped:
        return await self._grouped(prefix, length, _standing_sums(year, as_of, pairing_kind))

    async def unverified_due_by(self, prefix: str, last_day: date) -> list[Finding]:
        stmt = select(Finding).where(
            Finding.area_code.startswith(prefix), Finding.status != "verified", Finding.deadline <= last_day
        )
        return list(await self.session.scalars(stmt))

    async def targets(self, codes: list[str], year: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(ReductionTarget.area_code, ReductionTarget.people).where(
                ReductionTarget.area_code.in_(codes), ReductionTarget.year == year
            )
        )
        return {code: people for code, people in rows}

    async def areas(self, prefix: str, level: str) -> dict[str, str]:
        """Known areas (registry told us) of ``level`` under ``prefix``: code -> name."""
        rows = await self.session.execute(
            select(AreaRef.code, AreaRef.name).where(AreaRef.code.startswith(prefix), AreaRef.level == level)
        )
        return {code: name for code, name in rows}

    async def area_name(self, code: str) -> str | None:
        return await self.session.scalar(select(AreaRef.name).where(AreaRef.code == code))

    # --- submissions ----------------------------------------------------------------------
    async def lock_quarter(self, area_code: str, year: int, quarter: int) -> None:
        """Serialise submissions of one area's quarter (the version number is read, then written)."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"progress|{area_code}|{year}|{quarter}"},
        )

    async def versions(self, area_code: str, year: int, quarter: int) -> list[ProgressReportSubmission]:
        stmt = select(ProgressReportSubmission).where(
            ProgressReportSubmission.area_code == area_code,
            ProgressReportSubmission.year == year,
            ProgressReportSubmission.quarter == quarter,
        )
        return list(await self.session.scalars(stmt.order_by(ProgressReportSubmission.version)))

    async def submissions_below(
        self, own: str, prefix: str, length: int, year: int, quarter: int
    ) -> list[ProgressReportSubmission]:
        """Every version submitted for the quarter by the children of ``own`` (areas under its
        ``prefix`` whose code ends after ``length`` digits)."""
        stmt = select(ProgressReportSubmission).where(
            ProgressReportSubmission.area_code.startswith(prefix),
            ProgressReportSubmission.area_code == _child(ProgressReportSubmission.area_code, length),
            ProgressReportSubmission.area_code != own,
            ProgressReportSubmission.year == year,
            ProgressReportSubmission.quarter == quarter,
        )
        return list(
            await self.session.scalars(
                stmt.order_by(ProgressReportSubmission.area_code, ProgressReportSubmission.version)
            )
        )
