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
    title_zh = "该受益对象不在这笔资金的受益名单中"
    hint_zh = "先核实受益对象是否登记在本项目或本政策下"
    hint_en = "Check that the beneficiary is registered for this money"


class EntitlementExceeded(Conflict):
    type_slug = "entitlement-exceeded"
    title = "The amount is above the entitlement left"
    title_zh = "金额超过剩余应享额度"
    hint_zh = "按剩余额度调整金额"
    hint_en = "Lower the amount to the entitlement left"


class NonPositiveAmount(InvalidInput):
    type_slug = "non-positive-amount"
    title = "An amount must be above zero"
    title_zh = "金额必须大于零"
    hint_zh = "填写大于零的金额（单位：分）"
    hint_en = "Give an amount above zero (in fen)"


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
