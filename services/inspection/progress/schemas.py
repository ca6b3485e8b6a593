"""HTTP shapes of quarterly progress reports and their submissions upward."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from shared.clock import OfficeDateTime


class PeriodOut(BaseModel):
    start: date
    end: date = Field(description="inclusive")


class FlowsOut(BaseModel):
    """What happened in a period (counted where it happened)."""

    households_registered: int = Field(
        description="newly registered (splits of registered households excluded)"
    )
    persons_registered: int
    households_exited: int
    persons_exited: int
    households_relapsed: int
    persons_relapsed: int
    households_removed: int
    persons_removed: int
    disbursed_fen: int = Field(description="disbursements recorded in the period, net of their reversals")
    visits: int
    households_visited: int
    findings_raised: int
    findings_rectified: int = Field(description="rectifications verified in the period")
    complaints_received: int
    complaints_resolved: int
    # null only in reports submitted before answers were counted (their frozen figures lack them)
    visits_satisfied: int | None = Field(default=None, description="visits whose household answered 满意")
    visits_basically_satisfied: int | None = Field(
        default=None, description="visits whose household answered 基本满意"
    )
    visits_dissatisfied: int | None = Field(
        default=None, description="visits whose household answered 不满意"
    )


class StandingOut(BaseModel):
    """Yearly and current figures. Rates are decimal text (four places), null when there is
    nothing to measure against; unavailable figures are null (see the report's ``unavailable``)."""

    target_people: int | None = Field(description="the year's reduction target (assessments), null if unset")
    target_progress: str | None = Field(description="persons exited in the year to date / target_people")
    planned_fen: int = Field(description="plans of the year")
    received_fen: int | None = Field(description="always null: this service receives no funds receipts")
    plan_year_disbursed_fen: int = Field(description="paid against the year's plans by the quarter's end")
    disbursement_rate: str | None
    households_in_roll: int = Field(description="now, not at the quarter's end (no history is kept)")
    households_paired: int = Field(description="of them, with an open cadre pairing, now")
    pairing_coverage: str | None
    findings_overdue: int = Field(description="findings late on the quarter's last day")
    satisfaction_rate: str | None = Field(
        default=None,
        description="(满意 + 基本满意) / all answers at the year's visits to date (visits where the "
        "household was not asked left out); null when no one answered",
    )


class ProgressRowOut(BaseModel):
    area_code: str
    name: str | None
    level: str
    own_level: bool = Field(description="figures recorded at the area itself, not in any child area")
    quarter: FlowsOut
    year_to_date: FlowsOut
    standing: StandingOut


class UnavailableOut(BaseModel):
    field: str
    reason: str


class ProgressReportOut(BaseModel):
    area_code: str
    name: str | None
    level: str
    year: int
    quarter: int
    period: PeriodOut
    year_to_date: PeriodOut
    deadline: date = Field(description="last day to submit it upward on time")
    rows: list[ProgressRowOut] = Field(description="one per child area, then the area's own level")
    total: ProgressRowOut
    inspections_quarter: int = Field(description="inspections visible to the area that ran in the quarter")
    inspections_year_to_date: int
    unavailable: list[UnavailableOut]


class SubmissionIn(BaseModel):
    note: str | None = Field(default=None, max_length=5000)
    correction_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="Only for a correction: why the submitted figures are replaced (a new version)",
    )


class SubmissionOut(BaseModel):
    id: uuid.UUID
    area_code: str
    year: int
    quarter: int
    version: int
    supersedes_id: uuid.UUID | None
    correction_reason: str | None
    note: str | None
    deadline: date
    submitted_on: date
    late: bool
    submitted_by: str
    submitted_at: OfficeDateTime
    report: ProgressReportOut = Field(description="the figures as frozen at submission")


class SubmissionHistoryOut(BaseModel):
    current: SubmissionOut
    versions: list[SubmissionVersionOut]


class SubmissionVersionOut(BaseModel):
    id: uuid.UUID
    version: int
    submitted_on: date
    submitted_by: str
    correction_reason: str | None


class ChildSubmissionOut(BaseModel):
    area_code: str
    name: str | None
    status: str = Field(examples=["on_time", "late", "overdue", "pending"])
    first_submitted_on: date | None
    current_version: int | None
    current_submission_id: uuid.UUID | None


class SubmissionStatusOut(BaseModel):
    area_code: str
    year: int
    quarter: int
    deadline: date
    children: list[ChildSubmissionOut]
    submitted: list[str]
    late: list[str] = Field(description="submitted after the deadline, or not submitted and past it")


SubmissionHistoryOut.model_rebuild()
