"""What pairing publishes: one contract per event type and version (docs/EVENTS.md).

Other services import this module to read these events (``PairingOpened.of(event)``).
``helper_sub`` lets registry, funds and inspection keep who is paired to which household.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from shared.events.contracts import AreaCode, CheckpointSealed, EventContract, IsoDate

TargetType = Literal["household", "village", "county", "township"]


class CoverageGapDetected(EventContract):
    type: ClassVar[str] = "pairing.coverage.gap_detected.v1"

    gap_id: str
    signal_key: str = Field(
        description="pairing:<kind>:<subject_id>:<episode>; stable while the gap persists"
    )
    kind: str = Field(
        description="household_without_cadre, village_without_work_team, village_without_first_secretary, "
        "cadre_over_cap, visit_overdue"
    )
    area_code: AreaCode
    subject_id: str = Field(description="a household id, a village code or a helper id")
    detail: dict[str, Any] | str | None = Field(default=None, description="ids and figures, or a sentence")


class _Pairing(EventContract):
    pairing_id: str
    kind: str
    area_code: AreaCode
    helper_id: str | None = None
    helper_sub: str | None = Field(default=None, description="the helper's login subject, or null")
    target_type: TargetType | None = Field(default=None, description="absent from early events: read kind")
    target_id: str | None = None


class PairingOpened(_Pairing):
    type: ClassVar[str] = "pairing.pairing.opened.v1"

    target_id: str
    started_on: IsoDate | None = None


class PairingClosed(_Pairing):
    type: ClassVar[str] = "pairing.pairing.closed.v1"

    ended_on: IsoDate | None = None
    reason: str | None = Field(
        default=None,
        description="household_removed, household_moved, handed_over, helper_left, policy_period_over, "
        "or what an office gave",
    )


class VisitRecorded(EventContract):
    type: ClassVar[str] = "pairing.visit.recorded.v1"

    visit_id: str
    household_id: str
    area_code: AreaCode
    cadre_id: str
    visited_on: IsoDate
    kind: str | None = None


class NeedOpened(EventContract):
    type: ClassVar[str] = "pairing.need.opened.v1"

    need_id: str
    household_id: str
    area_code: AreaCode


class HelperLeft(EventContract):
    type: ClassVar[str] = "pairing.helper.left.v1"

    helper_id: str
    kind: str
    area_code: AreaCode
    left_on: IsoDate | None = None
    households_handed_over: int


class AuditCheckpointSealed(CheckpointSealed):
    type: ClassVar[str] = "pairing.audit.checkpoint_sealed.v1"
