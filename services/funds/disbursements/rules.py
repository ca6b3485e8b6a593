"""When money may go to a beneficiary: it must be payable and within its entitlement left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.funds.beneficiaries.rules import is_payable
from services.funds.errors import (
    BeneficiaryNotInPlan,
    BeneficiaryNotPayable,
    EntitlementExceeded,
    NonPositiveAmount,
    YearOutsidePlan,
)
from services.funds.vocabulary import BENEFICIARY_KINDS
from shared.money import yuan_en, yuan_zh

__all__ = [
    "Payee",
    "check_disbursement",
    "check_plan_year",
    "entitlement_left",
]


@dataclass(frozen=True)
class Payee:
    kind: str
    id: str
    status: str | None  # None: funds has never heard of it
    policies_kept_until: date | None = None


def entitlement_left(entitlement_fen: int, disbursed_fen: int) -> int:
    return max(entitlement_fen - disbursed_fen, 0)


def check_disbursement(
    *,
    payee: Payee,
    amount_fen: int,
    entitlement_fen: int,
    disbursed_fen: int,
    on: date,
    plan_id: object = None,
    in_plan: bool = True,
) -> None:
    """``in_plan`` is False when ``plan_id`` names a plan without a line for the payee."""
    if amount_fen <= 0:
        raise NonPositiveAmount(
            f"Cannot disburse {yuan_en(amount_fen)}", detail_zh=f"不能拨付{yuan_zh(amount_fen)}：金额须大于零"
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
    if plan_id is not None and not in_plan:
        word = BENEFICIARY_KINDS.get(payee.kind, payee.kind)
        raise BeneficiaryNotInPlan(
            f"The {payee.kind} {payee.id} is not among the beneficiaries of this plan, so nothing is "
            "owed to it under it. See the plan's lines; if it belongs there, correct its registration "
            "and recompute the plan, otherwise choose a plan that lists it",
            detail_zh=f"该{word}不在本资金计划的受益名单中（{payee.id}），本计划下对其没有应享额度。"
            f"请查看计划的受益名单；该{word}应在名单中的，更正登记后重新计算计划，否则选择列有该{word}的计划",
            beneficiary_kind=payee.kind,
            beneficiary_id=payee.id,
            plan_id=str(plan_id),
        )
    left = entitlement_left(entitlement_fen, disbursed_fen)
    if amount_fen > left:
        raise EntitlementExceeded(
            f"{yuan_en(amount_fen)} is above the {yuan_en(left)} left of the entitlement",
            detail_zh=f"{yuan_zh(amount_fen)}超过剩余应享额度{yuan_zh(left)}"
            f"（应享{yuan_zh(entitlement_fen)}，已拨付{yuan_zh(disbursed_fen)}）",
            entitlement_fen=entitlement_fen,
            disbursed_fen=disbursed_fen,
            left_fen=left,
        )


def check_plan_year(year: int | None, plan_years: Sequence[int], *, plan_id: object) -> None:
    """A payment's ``year`` (if named) is the plan year it pays: one of the years of the plan
    ``plan_id`` names (``plan_years``). A late payment names its plan year; its date is its own."""
    if plan_id is not None and year is not None and plan_years and year not in plan_years:
        raise YearOutsidePlan(
            f"{year} is not one of the plan's years ({', '.join(map(str, plan_years))}): "
            "a payment names the plan year it is for",
            detail_zh=f"{year}年不在本资金计划的年度（{'、'.join(map(str, plan_years))}年）内："
            "年度应填这笔拨付所属的计划年度",
            year=year,
            plan_years=list(plan_years),
            plan_id=str(plan_id),
        )
