"""What the registry publishes: one contract per event type and version (docs/EVENTS.md).

Other services import this module to read these events (``HouseholdRegistered.of(event)``);
nothing else of the registry crosses into them. No resident ID number in any event; names only
masked. The builders (``households/events.py`` and the other sub-domains' ``events.py``) fill
these models from the registry's rows and write them to the outbox.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.events.contracts import AreaCode, CheckpointSealed, ContractPart, EventContract, Fen, IsoDate
from shared.policy_documents import QUANZHOU_2018_POINTS

AreaLevel = Literal["province", "city", "county", "township", "village"]
AreaExitKind = Literal["village", "county"]
QueueLevel = Literal["national", "province", "city", "county", "township", "village"]
ClaimKind = Literal["household", "member", "import"]


class AreaUpserted(EventContract, type="registry.area.upserted.v1"):
    code: AreaCode
    name: str
    level: AreaLevel
    parent_code: AreaCode | None = None
    poor_village: bool = False
    old_area_village: bool = False
    key_village: bool = False
    pairing_village: bool | None = Field(
        default=None,
        description=f"帮扶村（{QUANZHOU_2018_POINTS}十一：市派、省派、县派的帮扶村）; "
        "absent from early events: read pairing_dispatch_level",
    )
    pairing_dispatch_level: Literal["city", "province", "county"] | None = None
    rural_population: int | None = None
    collective_income_fen: Fen | None = Field(default=None, description="latest year, or null")


class _Household(EventContract):
    """An event of one household: which, and where."""

    household_id: str
    area_code: AreaCode


class HouseholdCandidateCreated(_Household, type="registry.household.candidate_created.v1"):
    member_count: int


class HouseholdRegistered(EventContract, type="registry.household.registered.v1"):
    household_id: str
    household_number: str | None = None
    area_code: AreaCode
    year: int | None = None
    member_count: int = 0
    member_ids: list[str] = Field(default_factory=list, description="member uuids")
    head_name_masked: str | None = Field(default=None, description="masked: 张*")
    poverty_causes: list[str] = Field(default_factory=list)
    batches: list[str] = Field(default_factory=list)
    dibao: bool = False
    registered_on: IsoDate | None = None
    origin: Literal["identification", "split", "import"] | None = Field(
        default=None,
        description="split = members of a registered household moved into a new one; "
        "import = bulk roll of already-registered households",
    )


class HouseholdUpdated(_Household, type="registry.household.updated.v1"):
    """A step or a life change of a household; ``change`` says which (docs/EVENTS.md).

    A move is ``change`` = moved with ``from_area_code`` and ``moved_on``: ``area_code`` is the
    village the whole household now lives in.
    """

    status: str | None = None
    member_count: int | None = None
    member_ids: list[str] | None = None
    poverty_causes: list[str] | None = None
    batches: list[str] | None = None
    change: str
    # with some changes only
    reason: str | None = Field(default=None, description="member_removed, moved: the reason code")
    cause_kind: str | None = Field(default=None, description="reidentification")
    split_into: str | None = Field(default=None, description="split: the new household")
    merged_from: str | None = Field(default=None, description="merge: the household merged in")
    from_area_code: AreaCode | None = Field(default=None, description="moved: where it came from")
    moved_on: IsoDate | None = Field(default=None, description="moved: the day it took effect")
    year: int | None = Field(default=None, description="income: the year")
    late_entry: dict[str, Any] | None = Field(default=None, description="a step recorded after its day")


class EligibilityCheck(ContractPart):
    criterion: str
    passed: bool
    detail: str | None = None


class HouseholdExitEvent(_Household):
    """An event of one household's exit request (inspection's verdicts on it too)."""

    exit_request_id: str


class HouseholdExitRequested(HouseholdExitEvent, type="registry.household.exit_requested.v1"):
    year: int
    member_count: int = 0
    head_name_masked: str | None = None
    eligibility: list[EligibilityCheck] = Field(default_factory=list)


class HouseholdExited(_Household, type="registry.household.exited.v1"):
    exit_request_id: str | None = None
    exited_on: IsoDate | None = None
    policies_kept_until: IsoDate | None = Field(
        default=None,
        description="last day of 脱贫不脱政策, counted from exited_on by the policy's policies_kept_years",
    )
    member_count: int | None = None
    exit_notice_until: IsoDate | None = Field(
        default=None, description="last day of the exit's public notice"
    )


class HouseholdExitReturned(HouseholdExitEvent, type="registry.household.exit_returned.v1"):
    reason: str | None = None


class HouseholdRelapsed(_Household, type="registry.household.relapsed.v1"):
    plan_year: int | None = None
    member_count: int | None = None
    member_ids: list[str] | None = None


class _HouseholdOffRoll(_Household):
    """A household taken off the roll (removed, or rejected before registration), and why."""

    reason: str | None = None


class HouseholdRemoved(_HouseholdOffRoll, type="registry.household.removed.v1"):
    pass


class HouseholdRejected(_HouseholdOffRoll, type="registry.household.rejected.v1"):
    """Not registered (review not approved, objection upheld, or rejected with a reason)."""


class AreaExitCriterion(ContractPart):
    criterion: str
    label: str | None = None
    passed: bool
    blocking: bool | None = None
    source: str | None = None
    detail: str | None = None
    value: int | bool | str | None = Field(default=None, description='incidence: "poor/rural", exact')
    threshold: int | None = Field(default=None, description="basis points (incidence) or fen (amount)")
    comparison: str | None = None
    evidence: list[str] = Field(default_factory=list)


class AreaExitRequested(EventContract, type="registry.area.exit_requested.v1"):
    """A poor village (贫困村退出) or a county (摘帽) meets its exit criteria and asks for the sign-off."""

    exit_request_id: str
    area_code: AreaCode
    area_name: str | None = None
    kind: AreaExitKind
    year: int
    poor_persons: int | None = None
    rural_population: int | None = None
    criteria: list[AreaExitCriterion] = Field(default_factory=list)
    requested_on: IsoDate | None = None


class AreaExitEvent(EventContract):
    """An event of a village's or county's exit request (inspection's verdicts on it too)."""

    exit_request_id: str
    area_code: AreaCode
    kind: AreaExitKind


class _AreaExitDecision(AreaExitEvent):
    """An area exit request's outcome."""

    year: int


class AreaExited(_AreaExitDecision, type="registry.area.exited.v1"):
    """Every signer signed: the village or county has exited on that date."""

    exited_on: IsoDate
    dossier_id: str | None = None


class AreaExitReturned(_AreaExitDecision, type="registry.area.exit_returned.v1"):
    """A signer refused: the request is returned with the reason."""

    reason: str | None = None


class IdentityConflictOpened(EventContract, type="registry.identity_conflict.opened.v1"):
    """A person entered in one village while active in a household of another; no person data."""

    conflict_id: str
    area_code: AreaCode = Field(description="the queue's area; 000000000000 = national")
    queue_level: QueueLevel
    claim_kind: ClaimKind
    claim_area_code: AreaCode
    held_area_code: AreaCode
    status: str


class IdentityConflictResolved(IdentityConflictOpened, type="registry.identity_conflict.resolved.v1"):
    held_household_id: str
    resolved_on: str


class AuditCheckpointSealed(CheckpointSealed, type="registry.audit.checkpoint_sealed.v1"):
    pass
