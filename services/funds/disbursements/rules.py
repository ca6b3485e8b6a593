"""When money may go to a beneficiary: it must be payable and within its entitlement left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.funds.beneficiaries.rules import is_payable
from services.funds.errors import BeneficiaryNotPayable, EntitlementExceeded, NonPositiveAmount

__all__ = [
    "BENEFICIARY_KINDS",
    "Payee",
    "check_disbursement",
    "entitlement_left",
]

BENEFICIARY_KINDS = ("household", "village", "project")


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
        raise NonPositiveAmount(
            f"Cannot disburse {amount_fen} fen", detail_zh=f"不能拨付{amount_fen}分：金额须大于零"
        )
    if payee.kind == "household":
        payable = is_payable(payee.status, policies_kept_until=payee.policies_kept_until, on=on)
    elif payee.kind == "project":
        payable = payee.status in ("approved", "in_progress")
    else:
        payable = payee.status == "active"
    if not payable:
        raise BeneficiaryNotPayable(
            f"The {payee.kind} {payee.id} cannot be paid (status: {payee.status or 'unknown'})",
            detail_zh=f"{payee.id}（{payee.kind}）当前不能拨付（状态：{payee.status or '未知'}）",
            beneficiary_kind=payee.kind,
            beneficiary_id=payee.id,
            beneficiary_status=payee.status,
        )
    left = entitlement_left(entitlement_fen, disbursed_fen)
    if amount_fen > left:
        raise EntitlementExceeded(
            f"{amount_fen} fen is above the {left} fen left of the entitlement",
            detail_zh=f"{amount_fen}分超过剩余应享额度{left}分（应享{entitlement_fen}分，已拨付{disbursed_fen}分）",
            entitlement_fen=entitlement_fen,
            disbursed_fen=disbursed_fen,
            left_fen=left,
        )
