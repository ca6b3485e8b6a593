from __future__ import annotations

from datetime import date

import pytest

from services.funds.disbursements.rules import Payee, check_disbursement, check_plan_year
from services.funds.errors import (
    BeneficiaryNotPayable,
    EntitlementExceeded,
    NonPositiveAmount,
    YearOutsidePlan,
)
from shared.money import yuan

TODAY = date(2017, 3, 1)


def check(payee: Payee, amount: int, entitlement: int = yuan(80_000), disbursed: int = 0) -> None:
    check_disbursement(
        payee=payee, amount_fen=amount, entitlement_fen=entitlement, disbursed_fen=disbursed, on=TODAY
    )


def test_registered_household_is_paid_up_to_its_entitlement_exactly() -> None:
    check(Payee("household", "h1", "registered"), yuan(30_000), disbursed=yuan(50_000))


def test_one_fen_above_entitlement_left_is_refused() -> None:
    with pytest.raises(EntitlementExceeded) as refused:
        check(Payee("household", "h1", "registered"), yuan(30_000) + 1, disbursed=yuan(50_000))

    assert refused.value.status == 409
    assert refused.value.extensions["left_fen"] == yuan(30_000)


@pytest.mark.parametrize("status", [None, "candidate", "removed", "rejected"])
def test_unregistered_or_removed_households_are_refused(status: str | None) -> None:
    with pytest.raises(BeneficiaryNotPayable):
        check(Payee("household", "h1", status), 100)


def test_exited_household_is_paid_while_it_keeps_its_policies_and_not_after() -> None:
    check(Payee("household", "h1", "exited", policies_kept_until=TODAY), 100)
    with pytest.raises(BeneficiaryNotPayable):
        check(Payee("household", "h1", "exited", policies_kept_until=date(2017, 2, 28)), 100)


def test_projects_are_paid_only_once_approved() -> None:
    check(Payee("project", "p1", "approved"), 100)
    with pytest.raises(BeneficiaryNotPayable):
        check(Payee("project", "p1", "proposed"), 100)


@pytest.mark.parametrize("amount", [0, -1])
def test_zero_or_negative_amounts_are_bad_input(amount: int) -> None:
    with pytest.raises(NonPositiveAmount) as refused:
        check(Payee("household", "h1", "registered"), amount)

    assert refused.value.status == 422


def test_a_plan_payment_names_one_of_the_plans_years() -> None:
    check_plan_year(2018, (2016, 2017, 2018), plan_id="p1")
    check_plan_year(None, (2016, 2017, 2018), plan_id="p1")  # no year named: the date says when
    check_plan_year(2026, (), plan_id=None)  # a project is paid against its budget, not a plan
    with pytest.raises(YearOutsidePlan) as refused:
        check_plan_year(2026, (2016, 2017, 2018), plan_id="p1")
    assert refused.value.status == 409
    assert refused.value.extensions["plan_years"] == [2016, 2017, 2018]
