"""When money may go to a beneficiary: it must be payable and within its entitlement left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.funds.beneficiaries.rules import is_payable
from shared.errors import Conflict, InvalidInput

__all__ = [
    "BENEFICIARY_KINDS",
    "BeneficiaryNotPayable",
    "EntitlementExceeded",
    "Payee",
    "check_disbursement",
    "entitlement_left",
]

BENEFICIARY_KINDS = ("household", "village", "project")


class BeneficiaryNotPayable(Conflict):
    type_slug = "beneficiary-not-payable"
    title = "The beneficiary is not registered for this money"


class EntitlementExceeded(Conflict):
    type_slug = "entitlement-exceeded"
    title = "The amount is above the entitlement left"


class NonPositiveAmount(InvalidInput):
    type_slug = "non-positive-amount"
    title = "An amount must be above zero"


@dataclass(frozen=True)
class Payee:
    kind: str
    id: str
    status: str | None  # None: funds has never heard of it
    policies_kept_until: date | None = None


def entitlement_left(entitlement_fen: int, disbursed_fen: int) -> int:
    return max(entitlement_fen - disbursed_fen, 0)


def check_disbursement(
    *, payee: Payee, amount_fen: int, entitlement_fen: int, disbursed_fen: int, on: date
) -> None:
    if amount_fen <= 0:
        raise NonPositiveAmount(f"Cannot disburse {amount_fen} fen")
    if payee.kind == "household":
        payable = is_payable(payee.status, policies_kept_until=payee.policies_kept_until, on=on)
    elif payee.kind == "project":
        payable = payee.status in ("approved", "in_progress")
    else:
        payable = payee.status == "active"
    if not payable:
        raise BeneficiaryNotPayable(
            f"The {payee.kind} {payee.id} cannot be paid (status: {payee.status or 'unknown'})",
            beneficiary_kind=payee.kind,
            beneficiary_id=payee.id,
            beneficiary_status=payee.status,
        )
    left = entitlement_left(entitlement_fen, disbursed_fen)
    if amount_fen > left:
        raise EntitlementExceeded(
            f"{amount_fen} fen is above the {left} fen left of the entitlement",
            entitlement_fen=entitlement_fen,
            disbursed_fen=disbursed_fen,
            left_fen=left,
        )
