"""Quarterly progress reports upward (seed 000 五(一): 各县(市)…每季度要向市委、市政府报告扶贫脱贫
进展情况): the quarter's and the year's figures of an area, one row per child area, and the
rules of submitting them: once per area and quarter, corrections as new versions, a deadline.

Pure: periods, sums, rates, lateness and the submission decision. No I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from services.inspection.errors import AlreadySubmitted, NothingToCorrect, QuarterNotOver
from services.inspection.periods import year_part
from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode, AreaLevel

__all__ = [
    "FLOW_FIELDS",
    "SATISFACTION_ANSWERS",
    "SATISFACTION_FIELDS",
    "STANDING_SUMS",
    "ChildSubmission",
    "Period",
    "ProgressReport",
    "ProgressRow",
    "Standing",
    "SubmissionStatus",
    "Unavailable",
    "child_level",
    "deadline",
    "next_version",
    "quarter_period",
    "rate",
    "satisfaction_rate",
    "submission_status",
    "sum_rows",
    "year_to_date",
]

# Counted in a period (the quarter, or 1 January to the quarter's last day); they add up.
FLOW_FIELDS = (
    "households_registered",
    "persons_registered",
    "households_exited",
    "persons_exited",
    "households_relapsed",
    "persons_relapsed",
    "households_removed",
    "persons_removed",
    "disbursed_fen",
    "visits",
    "households_visited",
    "findings_raised",
    "findings_rectified",
    "complaints_received",
    "complaints_resolved",
    "visits_satisfied",
    "visits_basically_satisfied",
    "visits_dissatisfied",
)
# A visit's satisfaction answer (pairing's Satisfaction codes) and the flow that counts it.
SATISFACTION_ANSWERS = ("satisfied", "basically_satisfied", "dissatisfied")
SATISFACTION_FIELDS = ("visits_satisfied", "visits_basically_satisfied", "visits_dissatisfied")
# Standing figures that add up across areas (rates are recomputed from the sums, never added).
STANDING_SUMS = (
    "planned_fen",
    "plan_year_disbursed_fen",
    "households_in_roll",
    "households_paired",
    "findings_overdue",
)


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day, inclusive


def quarter_period(year: int, quarter: int) -> Period:
    """Q1 = 1 January - 31 March, Q2 = 1 April - 30 June, ... both ends inclusive."""
    start, next_start = year_part(year, quarter, per_year=4, name="quarter", name_zh="季度", what="quarter")
    return Period(start, next_start - timedelta(days=1))


def year_to_date(year: int, quarter: int) -> Period:
    return Period(date(year, 1, 1), quarter_period(year, quarter).end)


def deadline(year: int, quarter: int, days_after: int) -> date:
    """The last day a quarter's report is on time: ``days_after`` days after the quarter ends."""
    return quarter_period(year, quarter).end + timedelta(days=days_after)


def child_level(area: AreaCode) -> AreaLevel | None:
    order = list(LEVEL_PREFIX_LENGTH)
    idx = order.index(area.level)
    return order[idx + 1] if idx + 1 < len(order) else None


def rate(part: int | None, whole: int | None) -> str | None:
    """part / whole as a decimal text with four places; None when the whole is unknown or zero
    (a rate of nothing is not 100%: the reader must see that there was nothing to measure)."""
    if part is None or not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def satisfaction_rate(flows: Mapping[str, int]) -> str | None:
    """The share of visits' answers that are 满意 or 基本满意, of all answers (visits where the
    household was not asked are left out); None when no one answered.

    The seeds ask for satisfaction surveys (000: 群众扶贫满意度调查; 001: 群众满意度) without saying
    how 基本满意 counts. It counts as satisfied here, as national third-party evaluations of poverty
    alleviation count 满意 and 基本满意 together (outside the seeds); the report shows each count, so a
    reader may weigh them otherwise."""
    satisfied, basically, dissatisfied = (int(flows.get(f) or 0) for f in SATISFACTION_FIELDS)
    return rate(satisfied + basically, satisfied + basically + dissatisfied)


def sum_rows(rows: Iterable[Mapping[str, int | None]], fields: Iterable[str]) -> dict[str, int | None]:
    """Field-wise sums; a field every row leaves unknown (None) stays unknown."""
    rows = list(rows)
    out: dict[str, int | None] = {}
    for name in fields:
        values = [r.get(name) for r in rows]
        known = [v for v in values if v is not None]
        out[name] = sum(known) if known or not values else None
    return out


# --- submission ----------------------------------------------------------------------------
def next_version(
    *, current_version: int | None, correction_reason: str | None, period_end: date, today: date
) -> int:
    """The version a submission gets: 1 for the first; a second one only as a correction (with
    its reason), which supersedes the current version. Refusals are 409s that say why."""
    if today <= period_end:
        raise QuarterNotOver(
            f"The quarter ends on {period_end.isoformat()}; submit its report after that.",
            detail_zh=f"本季度于{period_end.isoformat()}结束，请在此之后报送",
            period_end=period_end.isoformat(),
        )
    if current_version is None:
        if correction_reason:
            raise NothingToCorrect(
                "No report was submitted for this quarter; submit it without a correction.",
                detail_zh="本季度尚未报送报告，请直接报送，不要填写更正原因",
            )
        return 1
    if not correction_reason:
        raise AlreadySubmitted(
            f"Version {current_version} was already submitted for this quarter. To change the figures, "
            "submit a correction: send correction_reason, and the new version supersedes it.",
            detail_zh=f"本季度已报送第{current_version}版。如需修改数字，请报送更正："
            "填写更正原因（correction_reason），新版本将取代原报告",
            current_version=current_version,
        )
    return current_version + 1


def submission_status(*, first_submitted_on: date | None, due: date, today: date) -> str:
    """on_time / late (submitted after the deadline) / overdue (not submitted, deadline passed) /
    pending (not submitted, still time). Lateness counts the first submission: a correction
    does not make an on-time report late."""
    if first_submitted_on is not None:
        return "on_time" if first_submitted_on <= due else "late"
    return "overdue" if today > due else "pending"


# ---------------------------------------------------------------- what the progress services return
# Domain objects: the router (and document.py, through the schema) shapes them into the answer.
# A row's flows are counters by FLOW_FIELDS name; its standing, the figures at the quarter's end.


@dataclass(frozen=True, kw_only=True, slots=True)
class Standing:
    target_people: int | None  # the year's reduction target (assessments), None if unset
    target_progress: str | None
    planned_fen: int
    received_fen: int | None  # always None: this service receives no funds receipts
    plan_year_disbursed_fen: int
    disbursement_rate: str | None
    households_in_roll: int  # now, not at the quarter's end (no history is kept)
    households_paired: int
    pairing_coverage: str | None
    findings_overdue: int
    satisfaction_rate: str | None  # (满意 + 基本满意) / answers at the year's visits to date


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressRow:
    area_code: str
    name: str | None
    level: str
    own_level: bool  # figures recorded at the area itself, not in any child area
    quarter: Mapping[str, int]
    year_to_date: Mapping[str, int]
    standing: Standing


@dataclass(frozen=True, slots=True)
class Unavailable:
    field: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressReport:
    area_code: str
    name: str | None
    level: str
    year: int
    quarter: int
    period: Period
    year_to_date: Period
    deadline: date  # last day to submit it upward on time
    rows: list[ProgressRow]  # one per child area, then the area's own level
    total: ProgressRow
    inspections_quarter: int
    inspections_year_to_date: int
    unavailable: list[Unavailable]


@dataclass(frozen=True, kw_only=True, slots=True)
class ChildSubmission:
    area_code: str
    name: str | None
    status: str  # on_time | late | overdue | pending
    first_submitted_on: date | None
    current_version: int | None
    current_submission_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmissionStatus:
    """Which child areas have submitted the quarter's report, and which are late."""

    area_code: str
    year: int
    quarter: int
    deadline: date
    children: list[ChildSubmission]
    submitted: list[str]
    late: list[str]
