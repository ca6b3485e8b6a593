"""What inspection publishes: one contract per event type and version (docs/EVENTS.md).

Other services import this module to read these events (``ExitVerified.of(event)``).
"""

from __future__ import annotations

from pydantic import Field

from services.registry.events import AreaExitEvent, HouseholdExitEvent
from shared.events.contracts import AreaCode, CheckpointSealed, EventContract, IsoDate


class _Verdict(EventContract):
    """The 4-3-4-2 sign-off's verdict on an exit request (a household's, a village's or a county's):
    the request's own fields first (``HouseholdExitEvent`` or ``AreaExitEvent``), then these."""

    dossier_id: str


class _Verified(_Verdict):
    verified_on: IsoDate


class ExitVerified(_Verified, HouseholdExitEvent, type="inspection.exit.verified.v1"):
    pass


class ExitRejected(_Verdict, HouseholdExitEvent, type="inspection.exit.rejected.v1"):
    level: str = Field(description="the refusing level")
    step: str = Field(description="the refusing position role")
    reason: str


class AreaExitVerified(_Verified, AreaExitEvent, type="inspection.area_exit.verified.v1"):
    pass


class AreaExitRejected(_Verdict, AreaExitEvent, type="inspection.area_exit.rejected.v1"):
    level: str
    step: str
    reason: str


class FindingRaised(EventContract, type="inspection.finding.raised.v1"):
    finding_id: str
    area_code: AreaCode
    category: str
    severity: str
    deadline: IsoDate
    source_signal: str | None = Field(
        default=None, description="funds:<signal_key> or pairing:<signal_key>; null if an inspector raised it"
    )


class FindingRectified(EventContract, type="inspection.finding.rectified.v1"):
    finding_id: str
    area_code: AreaCode


class AccountabilityRecorded(EventContract, type="inspection.accountability.recorded.v1"):
    record_id: str
    area_code: AreaCode
    kind: str = Field(description="bulletin, admonishment_interview, discipline_referral")
    subject: str = Field(description="a unit, a person or a position")


class ProgressReportSubmitted(EventContract, type="inspection.progress_report.submitted.v1"):
    """An area submitted its quarterly progress report upward (figures frozen)."""

    submission_id: str
    area_code: AreaCode
    year: int
    quarter: int
    version: int = Field(description="1 = first submission; a correction is n+1")
    supersedes_id: str | None = None
    correction_reason: str | None = None
    submitted_on: IsoDate
    deadline: IsoDate
    late: bool = Field(description="the first submission came after the deadline")


class AuditCheckpointSealed(CheckpointSealed, type="inspection.audit.checkpoint_sealed.v1"):
    pass
