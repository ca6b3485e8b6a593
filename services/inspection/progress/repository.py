"""All SQL of the quarterly progress report: projections and our own records, grouped by the
child area (the first ``length`` digits of an area code, padded back to 12) of the report's area."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Executable, and_, exists, func, or_, select, text
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
from services.inspection.progress.rules import Period
from services.inspection.projections.repository import needs_a_cadre
from shared.repository import Repository

# A split registers a new household out of members already in the roll: not new poor people.
NOT_NEW_REGISTRATIONS = ("split",)


def _child(column: InstrumentedAttribute[str], length: int) -> ColumnElement[str]:
    return func.rpad(func.left(column, length), 12, "0")


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column <= period.end)


Grouped = dict[str, dict[str, int]]


class ProgressRepository(Repository[ProgressReportSubmission]):
    model = ProgressReportSubmission

    async def _grouped(self, stmt: Executable, names: tuple[str, ...], into: Grouped) -> None:
        """Rows of (child code, value, ...) added into ``into[child][name]``."""
        for row in await self.session.execute(stmt):
            for name, value in zip(names, row[1:], strict=True):
                into[row[0]][name] = into[row[0]].get(name, 0) + int(value or 0)

    async def flows(self, prefix: str, length: int, period: Period) -> Grouped:
        out: Grouped = defaultdict(dict)
        key = _child(RollMovementRef.area_code, length)
        for kind in ("registered", "exited", "relapsed", "removed"):
            stmt = select(key, func.count(), func.sum(RollMovementRef.persons)).where(
                RollMovementRef.area_code.startswith(prefix),
                RollMovementRef.kind == kind,
                _within(RollMovementRef.happened_on, period),
            )
            if kind == "registered":
                stmt = stmt.where(
                    or_(
                        RollMovementRef.origin.is_(None), RollMovementRef.origin.not_in(NOT_NEW_REGISTRATIONS)
                    )
                )
            await self._grouped(stmt.group_by(key), (f"households_{kind}", f"persons_{kind}"), out)
        dkey = _child(DisbursementRef.area_code, length)
        await self._grouped(
            select(dkey, func.sum(DisbursementRef.amount_fen))
            .where(DisbursementRef.area_code.startswith(prefix), _within(DisbursementRef.recorded_on, period))
            .group_by(dkey),
            ("disbursed_fen",),
            out,
        )
        vkey = _child(VisitRef.area_code, length)
        await self._grouped(
            select(vkey, func.count(), func.count(func.distinct(VisitRef.household_id)))
            .where(VisitRef.area_code.startswith(prefix), _within(VisitRef.visited_on, period))
            .group_by(vkey),
            ("visits", "households_visited"),
            out,
        )
        fkey = _child(Finding.area_code, length)
        await self._grouped(
            select(fkey, func.count())
            .where(Finding.area_code.startswith(prefix), _within(Finding.raised_on, period))
            .group_by(fkey),
            ("findings_raised",),
            out,
        )
        await self._grouped(
            select(fkey, func.count())
            .where(Finding.area_code.startswith(prefix), _within(Finding.verified_on, period))
            .group_by(fkey),
            ("findings_rectified",),
            out,
        )
        ckey = _child(Complaint.area_code, length)
        await self._grouped(
            select(ckey, func.count())
            .where(Complaint.area_code.startswith(prefix), _within(Complaint.received_on, period))
            .group_by(ckey),
            ("complaints_received",),
            out,
        )
        await self._grouped(
            select(ckey, func.count())
            .where(
                Complaint.area_code.startswith(prefix),
                Complaint.status == "resolved",
                _within(Complaint.resolved_on, period),
            )
            .group_by(ckey),
            ("complaints_resolved",),
            out,
        )
        return out

    async def standing(self, prefix: str, length: int, year: int, as_of: date, pairing_kind: str) -> Grouped:
        out: Grouped = defaultdict(dict)
        pkey = _child(FundPlanRef.area_code, length)
        await self._grouped(
            select(pkey, func.sum(FundPlanRef.total_fen))
            .where(FundPlanRef.area_code.startswith(prefix), FundPlanRef.year == year)
            .group_by(pkey),
            ("planned_fen",),
            out,
        )
        dkey = _child(DisbursementRef.area_code, length)
        await self._grouped(
            select(dkey, func.sum(DisbursementRef.amount_fen))
            .where(
                DisbursementRef.area_code.startswith(prefix),
                DisbursementRef.year == year,
                DisbursementRef.recorded_on <= as_of,
            )
            .group_by(dkey),
            ("plan_year_disbursed_fen",),
            out,
        )
        hkey = _child(HouseholdRef.area_code, length)
        paired = exists().where(
            PairingRef.target_id == HouseholdRef.household_id,
            PairingRef.kind == pairing_kind,
            PairingRef.is_open,
        )
        await self._grouped(
            select(hkey, func.count(), func.count().filter(paired))
            .where(HouseholdRef.area_code.startswith(prefix), needs_a_cadre(as_of))
            .group_by(hkey),
            ("households_in_roll", "households_paired"),
            out,
        )
        return out

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
