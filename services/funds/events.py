"""What funds publishes: one contract per event type and version (docs/EVENTS.md).

Other services import this module to read these events (``DisbursementRecorded.of(event)``).
Money in integer fen; ``detail`` of an anomaly holds ids only, never names.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.events.contracts import AreaCode, CheckpointSealed, ContractPart, EventContract, Fen, IsoDate


class AnomalyDetected(EventContract, type="funds.anomaly.detected.v1"):
    anomaly_id: str
    signal_key: str = Field(description="stable per underlying problem")
    kind: str = Field(
        description="non_registered_beneficiary, exited_beneficiary, removed_beneficiary, duplicate_payment, "
        "over_entitlement, idle_funds"
    )
    area_code: AreaCode
    amount_fen: Fen | None = None
    detail: dict[str, Any] | str | None = Field(default=None, description="ids only, never names")


class _DisbursementEvent(EventContract):
    """An event of one disbursement (recorded, then perhaps reversed)."""

    disbursement_id: str
    area_code: AreaCode


class DisbursementRecorded(_DisbursementEvent, type="funds.disbursement.recorded.v1"):
    beneficiary_kind: str | None = Field(default=None, description="household, village, ...")
    beneficiary_id: str | None = None
    amount_fen: Fen
    year: int | None = Field(
        default=None, description="the plan year it pays; the year it was paid when it names none"
    )


class DisbursementReversed(_DisbursementEvent, type="funds.disbursement.reversed.v1"):
    amount_fen: Fen | None = None
    reason: str | None = None


class PlanRecomputed(EventContract, type="funds.plan.recomputed.v1"):
    """Sent when a plan is first computed and whenever what it says changes."""

    plan_id: str
    scheme_code: str
    area_code: AreaCode
    total_fen: Fen
    year: int | None = Field(default=None, description="first scheduled year, or null")
    years: list[int] = Field(default_factory=list, description="all scheduled years")
    people: int = 0
    revision: int = 0


class Posting(ContractPart):
    account: str
    amount_fen: Fen


class TransactionPosted(EventContract, type="funds.transaction.posted.v1"):
    transaction_id: str
    kind: Literal["receipt", "transfer", "disbursement", "reversal"]
    area_code: AreaCode
    year: int | None = None
    postings: list[Posting] = Field(description="they sum to 0")


class ProjectStatusChanged(EventContract, type="funds.project.status_changed.v1"):
    project_id: str
    area_code: AreaCode
    status: str = Field(description="approved, in_progress, completed, cancelled")
    budget_fen: Fen


class _NoticeEvent(EventContract):
    """An event of one public notice on a village board (published, then closed)."""

    notice_id: str
    area_code: AreaCode


class NoticePublished(_NoticeEvent, type="funds.notice.published.v1"):
    area_code: AreaCode = Field(description="the village")
    published_on: IsoDate
    ends_on: IsoDate


class NoticeClosed(_NoticeEvent, type="funds.notice.closed.v1"):
    objections: int = Field(description="how many")


class BudgetDeclarationRecorded(EventContract, type="funds.budget_declaration.recorded.v1"):
    """An area's finance office declares or changes a year's figures the budget rules read."""

    area_code: AreaCode
    year: int
    local_revenue_increase_fen: Fen | None = Field(default=None, description="negative if revenue fell")
    recovered_idle_funds_fen: Fen | None = None


class _AgreementEvent(EventContract):
    """An event of one asset-income agreement (signed, then a dividend a year)."""

    agreement_id: str
    area_code: AreaCode


class AssetIncomeAgreementSigned(_AgreementEvent, type="funds.asset_income.agreement_signed.v1"):
    enterprise: str
    year: int = Field(description="first year of the term")
    household_count: int
    principal_fen: Fen
    guaranteed_return_fen: Fen
    dividend_due_fen: Fen = Field(description="a year, rounded up to the fen")


class AssetIncomeDividendDistributed(_AgreementEvent, type="funds.asset_income.dividend_distributed.v1"):
    """Each household's part is a funds.disbursement.recorded.v1."""

    year: int
    due_fen: Fen
    paid_fen: Fen
    household_count: int
    transaction_id: str = Field(description="the enterprise's receipt")


class AuditCheckpointSealed(CheckpointSealed, type="funds.audit.checkpoint_sealed.v1"):
    pass
