"""What pairing publishes: one contract per event type and version (docs/EVENTS.md).

Other services import this module to read these events (``PairingOpened.of(event)``).
``helper_sub`` lets registry, funds and inspection keep who is paired to which household.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.events import CloudEvent
from shared.events.contracts import AreaCode, CheckpointSealed, EventContract, IsoDate

TargetType = Literal["household", "village", "county", "township"]
Satisfaction = Literal["satisfied", "basically_satisfied", "dissatisfied"]


class CoverageGapDetected(EventContract, type="pairing.coverage.gap_detected.v1"):
    gap_id: str
    signal_key: str = Field(
        description="pairing:<kind>:<subject_id>:<episode>; stable while the gap persists"
    )
    kind: str = Field(
        description="household_without_cadre, village_without_work_team, village_without_first_secretary, "
        "cadre_over_cap, visit_overdue, township_without_staff, village_without_coordinator, "
        "mountain_sea_pair_missing"
    )
    area_code: AreaCode
    subject_id: str = Field(
        description="a household id, a township or village code, a helper id, or (mountain_sea_pair_missing) "
        "the helped county's code"
    )
    detail: dict[str, Any] | str | None = Field(default=None, description="ids and figures, or a sentence")


class _Pairing(EventContract):
    pairing_id: str
    kind: str
    area_code: AreaCode
    helper_id: str | None = None
    helper_sub: str | None = Field(default=None, description="the helper's login subject, or null")
    target_type: TargetType | None = Field(default=None, description="absent from early events: read kind")
    target_id: str | None = None


class PairingOpened(_Pairing, type="pairing.pairing.opened.v1"):
    target_id: str
    started_on: IsoDate | None = None


class PairingClosed(_Pairing, type="pairing.pairing.closed.v1"):
    ended_on: IsoDate | None = None
    reason: str | None = Field(
        default=None,
        description="household_removed, household_moved, handed_over, helper_left, policy_period_over, "
        "or what an office gave",
    )


class _Visit(EventContract):
    visit_id: str
    household_id: str
    area_code: AreaCode
    cadre_id: str
    visited_on: IsoDate
    kind: str | None = None


class VisitRecorded(_Visit, type="pairing.visit.recorded.v1"):
    """Version 1, without the household's answer; no longer published, still read (events in the
    streams)."""


class VisitRecordedV2(_Visit, type="pairing.visit.recorded.v2"):
    satisfaction: Satisfaction | None = Field(
        default=None,
        description="the household's answer at the visit: satisfied (满意), basically_satisfied (基本满意), "
        "dissatisfied (不满意); null when not asked",
    )


VISIT_RECORDED_TYPES = (VisitRecorded.type, VisitRecordedV2.type)


def visit_recorded(event: CloudEvent) -> VisitRecordedV2:
    """A visit event of either version as version 2 (a version 1 event carries no answer)."""
    if event.type == VisitRecorded.type:
        return VisitRecordedV2.model_validate(VisitRecorded.of(event).data())
    return VisitRecordedV2.of(event)


class NeedOpened(EventContract, type="pairing.need.opened.v1"):
    need_id: str
    household_id: str
    area_code: AreaCode


class HelperLeft(EventContract, type="pairing.helper.left.v1"):
    helper_id: str
    kind: str
    area_code: AreaCode
    left_on: IsoDate | None = None
    households_handed_over: int


class AuditCheckpointSealed(CheckpointSealed, type="pairing.audit.checkpoint_sealed.v1"):
    pass
